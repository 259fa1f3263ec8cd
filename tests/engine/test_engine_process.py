"""The engine as a process: it delivers, stops gracefully, survives being killed mid-send
and a database restart, and two engines never send one message twice."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import timedelta
from email.header import decode_header, make_header

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from backline.accounts.roles import Role
from backline.engine.models import Heartbeat
from backline.lib import clock
from backline.notify import outbox
from backline.notify.models import Channel, ContactMethod, OutgoingMessage, Status
from backline.support import escalation
from backline.support.models import EscalationPolicy, EscalationStep, StepTarget
from tests.engine.processes import ROOT, Engine, engine_env, eventually
from tests.engine.smtp import SmtpServer
from tests.personas import World, make_person
from tests.pg_cluster import Cluster

pytestmark = pytest.mark.django_db(transaction=True)

ON_POSTGRES = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="several engines and restarts: PostgreSQL"
)


def reachable_peer(world: World, address: str = "peer@mail.test") -> None:
    ContactMethod.objects.create(
        user=world.peer, channel=Channel.EMAIL, value=address, verified_at=clock.now()
    )


def page(world: World, key: str) -> OutgoingMessage:
    outbox.enqueue(world.peer.pk, key, key, outbox.Message("Backline: test", "body"))
    return OutgoingMessage.objects.get(group_key=key, channel=Channel.EMAIL)


def test_the_engine_pages_a_new_request_and_stops_on_sigterm(
    world: World, smtp: SmtpServer, engines: Callable[..., Engine]
) -> None:
    reachable_peer(world)
    policy = EscalationPolicy.objects.create(region=world.region, name="P", is_default=True)
    step = EscalationStep.objects.create(policy=policy, order=0, delay_minutes=5)
    StepTarget.objects.create(step=step, kind="user", user=world.peer)
    engine = engines(**smtp.settings())
    escalation.reach_out(
        world.telecommunicator,
        world.region,
        escalation.Ask(urgency="now", contact="call"),
    )
    eventually(lambda: len(smtp.received) == 1, what="the page by e-mail")
    assert smtp.received[0].to == ["peer@mail.test"]
    subject = str(make_header(decode_header(smtp.received[0].subject)))
    assert subject == "Backline: support request — now"
    output = engine.stop(signal.SIGTERM)
    assert engine.process.returncode == 0
    assert "stopped" in output
    assert Heartbeat.objects.exists()


def test_a_message_caught_mid_send_by_sigkill_is_sent_by_the_next_engine(
    world: World, smtp: SmtpServer, engines: Callable[..., Engine]
) -> None:
    reachable_peer(world)
    smtp.handler.hold = threading.Event()
    smtp.handler.hold.set()
    first = engines(**smtp.settings())
    message = page(world, "kill-test")
    eventually(
        lambda: OutgoingMessage.objects.get(pk=message.pk).status == Status.SENDING,
        what="the message to be sending",
    )
    first.stop(signal.SIGKILL)
    smtp.handler.hold = None  # the server works again
    assert OutgoingMessage.objects.get(pk=message.pk).status == Status.SENDING
    engines(**smtp.settings())
    eventually(
        lambda: OutgoingMessage.objects.get(pk=message.pk).status == Status.SENT,
        what="the next engine to send it after the deadline",
    )
    assert [r.to for r in smtp.received] == [["peer@mail.test"]]
    assert OutgoingMessage.objects.get(pk=message.pk).attempts == 2


@ON_POSTGRES
def test_two_engines_never_send_the_same_message_twice(
    world: World, smtp: SmtpServer, engines: Callable[..., Engine]
) -> None:
    people = [
        make_person(f"p{i}@harbor.test", f"P {i}", world.agency, Role.PEER) for i in range(40)
    ]
    for person in people:
        ContactMethod.objects.create(
            user=person,
            channel=Channel.EMAIL,
            value=f"{person.pk}@mail.test",
            verified_at=clock.now(),
        )
    engines(**smtp.settings())
    engines(**smtp.settings())
    for person in people:
        outbox.enqueue(
            person.pk, f"k{person.pk}", f"k{person.pk}", outbox.Message("Backline: test", "body")
        )
    eventually(
        lambda: (
            not OutgoingMessage.objects.filter(channel=Channel.EMAIL)
            .exclude(status=Status.SENT)
            .exists()
        ),
        what="all sent",
    )
    addresses = sorted(r.to[0] for r in smtp.received)
    assert addresses == sorted(f"{p.pk}@mail.test" for p in people)  # once each


@ON_POSTGRES
def test_the_engine_survives_a_database_restart(
    world: World, smtp: SmtpServer, engines: Callable[..., Engine]
) -> None:
    cluster = Cluster().start()
    try:
        cluster.create_database()
        env = engine_env(**smtp.settings(), DATABASE_URL=cluster.url)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
        )
        engine = engines(**smtp.settings(), DATABASE_URL=cluster.url)

        def beating() -> bool:
            with psycopg.connect(cluster.url) as db:
                row = db.execute("SELECT count(*) FROM engine_heartbeat").fetchone()
                return row is not None and row[0] > 0

        eventually(beating, what="the engine to run against the cluster")
        cluster.restart()
        enqueue = (
            "from backline.notify import outbox; from backline.accounts.models import User;"
            "from backline.notify.models import ContactMethod; from backline.lib import clock;"
            "u = User.objects.create_user(email='r@x.test', password='x', full_name='R');"
            "ContactMethod.objects.create(user=u, channel='email', value='r@mail.test',"
            " verified_at=clock.now());"
            "outbox.enqueue(u.pk, 'g', 'g', outbox.Message('Backline: after restart', 'b'))"
        )
        subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", enqueue], cwd=ROOT, env=env, check=True
        )
        eventually(
            lambda: any(r.to == ["r@mail.test"] for r in smtp.received),
            timeout=30,
            what="delivery after the restart",
        )
        assert engine.process.poll() is None  # still running
        assert "database unavailable" in engine.stop()
    finally:
        cluster.stop()


def test_engine_once(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("engine", "--once")
    assert "TickResult" in capsys.readouterr().out
    assert Heartbeat.objects.filter(beat_at__gte=clock.now() - timedelta(seconds=5)).exists()
