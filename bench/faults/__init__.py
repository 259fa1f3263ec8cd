"""Backline's fault drill: ``.venv/bin/python -m bench.faults`` (``--help``).

Real processes on the loopback address, harmed from outside while telecommunicators
reach out: the mail server stops for minutes, engines are killed with SIGKILL in the
middle of sending, the PostgreSQL server restarts (cleanly, and as a crash). It counts
what a person would notice: a page that never arrived while its request waited, a page
that arrived twice (and whether the copy is recognisably the same mail), a Reach out
that answered a bare error page, or said "sent" and was not. BENCHMARKS.md explains
every figure. ``drill`` holds the command line; ``scenarios`` the timetables of harm;
``stack`` the throw-away Backline; ``people`` the browsers; ``sink`` the mail server;
``db`` the Django side; ``tally`` the counting; ``report`` the Markdown.
"""
