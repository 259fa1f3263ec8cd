"""Notifications: contact methods, per-person rules, and the outbox that delivers them.

``notify`` knows nothing of support requests: other apps hand it messages with a
group key, and may cancel a group (a request was acknowledged). Every message is
recorded before it is sent, sent with a deadline, retried with backoff, then falls
back to the person's next contact method.
"""
