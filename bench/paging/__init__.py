"""Backline's paging benchmark: ``.venv/bin/python -m bench.paging`` (``--help``).

How fast and how reliably a "Reach out" becomes a page, on SQLite and on PostgreSQL.
For each database (``run.py``) it builds a throw-away production-like Backline
(``bench.common``'s environment, ``bench.settings``) with ``--teams`` peer teams
(``teams.py``, made by ``db.py`` in a process of its own), starts a real SMTP server on
the loopback address (``bench/smtp_sink.py``), granian and the paging engine
(``manage.py engine``) as separate processes (``servers.py``), signs every
telecommunicator in through the login form (``people.py``), and then:

1. **burst** (``burst.py``): ``--burst`` Reach out POSTs by as many different
   telecommunicators, spread evenly over ``--burst-seconds`` and over the teams (open
   loop: each POST leaves at its planned moment, whatever the server's pace). Latency:
   from the click (the client sending the POST) and from the request's ``requested_at``
   to the moment the SMTP server had its first e-mail;
2. **punctuality** (``punctuality.py``): the burst's requests stay unanswered, so each
   policy's second and third steps fire 1 and 2 minutes later; lateness: ``Event.at`` of
   the step (and its first e-mail's arrival) after the deadline ``requested_at`` + the
   steps' delays;
3. **throughput** (``throughput.py``): Reach out POSTs (every telecommunicator once,
   ``--concurrency`` clients) against the bare one-query view in the same run, in
   ``--rounds`` rounds; requests are cancelled between rounds (as their requesters
   would);
4. **soak** (``soak.py``): ``--soak-rate`` reach-outs per second for ``--soak-seconds``,
   each cancelled by its requester ``--soak-lifetime`` seconds later, sampling the
   memory of the engine and of each web worker (``memory.py``).

What became of the requests is read back from the database (``outcome.py``). Memory
comes from ``/proc``. ``--write`` puts the report (``report.py``) into ``BENCHMARKS.md``
between its paging markers; BENCHMARKS.md explains every figure. Only loopback
addresses are used (the servers listen on 127.0.0.1; sign-ins come from several
127.x.y.z addresses, see ``Person.address``). A PostgreSQL run uses a throw-away
cluster (``tests/pg_cluster.py``), or, when ``DATABASE_URL`` names a PostgreSQL server,
a new database of its own on that server, dropped afterwards: no existing database is
ever touched.
"""
