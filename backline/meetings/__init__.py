"""Structured sessions: defusings, debriefings, support groups and trainings, with
invitations, one-tap answers, a waiting list and reminders (docs/adr/0028)."""
