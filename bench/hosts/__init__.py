"""Several hosts, one database: a drill, not a test (``python -m bench.hosts --help``).

Backline scales out by running more web servers and more engines over one PostgreSQL,
with no broker between them. The drill shows it on one machine: it makes hosts of
Linux network namespaces (``network.py``) joined by veth pairs to a switch, with
addresses of their own in 10.77.0.0/24, and runs

- ``db``: a throw-away PostgreSQL cluster listening on its own address (``database.py``);
- ``web1``, ``web2``: granian serving Backline as ``make run`` does (``services.py``);
- ``engine1``, ``engine2``: ``manage.py engine``;
- ``mail``: the SMTP sink of ``bench/smtp_sink.py``, on its own address (``mail.py``).

Every process gets its settings from the environment, as ``scripts/run.sh`` gives them:
``DATABASE_URL`` naming the db host, ``BACKLINE_SMTP_HOST`` the mail host. From the
machine's own namespace (on the switch too) it builds ``bench/paging/``'s teams,
signs every telecommunicator in through the login form, and drives the web hosts
through a small load balancer of its own (``balancer.py``):

1. **throughput**: every telecommunicator reaches out once, as fast as the hosts take
   it, through one web host and then through both (the requests are cancelled between);
2. **the burst**: ``--burst`` reach-outs planned evenly over ``--burst-seconds``; at
   ``--kill-at`` every process of one engine host is killed with SIGKILL, at
   ``--cut-at`` a web host's link goes down for ``--cut-seconds``, then up again.

It then reads the requests, their pages and their e-mail rows back, and the sink's
record of each e-mail's arrival (``figures.py``), and reports (``report.py``): requests
accepted, requests without a page, duplicate sends (a ``Message-ID`` the sink had
twice), the first page's latency from the client's first press, by phase of the burst,
and the POST throughput with one web host and with two.

Its traffic stays on its own addresses and loopback. Whatever happens, even when it is
interrupted (SIGINT, SIGTERM, SIGHUP), it stops its processes and its cluster, and
removes its namespaces, interfaces and folders; ``--cleanup`` removes what a drill that
was killed outright left behind, by their names (``blh-*``, ``backline-hosts-*``).
"""
