"""The roster: coordinators and administrators manage agencies, people, roles and invitations."""
