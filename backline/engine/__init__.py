"""The paging engine: one loop over database state that escalates requests and
delivers the outbox. ``manage.py engine`` runs it."""
