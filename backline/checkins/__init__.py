"""Check-ins: a peer's proactive check-in with a colleague, one-off or recurring, and the
colleague's one-tap answer (docs/adr/0027-check-ins.md)."""
