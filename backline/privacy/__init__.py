"""Privacy mechanics: deny-by-default access rules and the append-only audit log."""
