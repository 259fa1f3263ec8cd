"""Reaching out: support requests, escalation policies, paging and acknowledgement."""
