"""People and organisation: regions (peer teams), agencies, users, roles, invitations."""
