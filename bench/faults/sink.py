"""The fault drill's mail server: a real SMTP server (aiosmtpd) on the loopback address
that the drill stops and starts again, and that can wait before it answers::

    python -m bench.faults.sink PORT LOG REPLY_DELAY_SECONDS

Like ``bench/smtp_sink.py`` it appends one JSON line to LOG the moment a message's data
has arrived, before its reply, with the wall-clock time, the ``Message-ID`` and the
recipients; it adds the links of the message's plain-text part, which name the page
(a page's link is its own), so that the drill can tell which outbox row a message came
from without trusting the ``Message-ID`` it checks. With a delay, it then waits that
long before answering ``250``; when the sender goes away meanwhile (an engine killed
between the message's data and the server's reply) it appends ``{"unanswered": ID}``.
It runs until SIGTERM or SIGINT.
"""

from __future__ import annotations

import asyncio
import json
import re
import signal
import sys
import time
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import IO, Any

from aiosmtpd.smtp import SMTP

from bench.common import HOST

LINK = re.compile(r"https?://\S+")


def links_of(content: bytes) -> list[str]:
    """The links in the plain-text part of a message (decoded, whatever its encoding)."""
    message = BytesParser(policy=policy.default).parsebytes(content)
    assert isinstance(message, EmailMessage)
    text = message.get_body(preferencelist=("plain",))
    return LINK.findall(text.get_content()) if isinstance(text, EmailMessage) else []


class DrillSink:
    def __init__(self, log: IO[str], reply_delay: float) -> None:
        self.log = log
        self.reply_delay = reply_delay

    def write(self, record: dict[str, Any]) -> None:
        self.log.write(json.dumps(record) + "\n")
        self.log.flush()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        arrived = time.time()
        message_id = str(
            BytesParser(policy=policy.compat32).parsebytes(envelope.content)["Message-ID"]
        )
        self.write(
            {
                "at": arrived,
                "message_id": message_id,
                "to": list(envelope.rcpt_tos),
                "links": links_of(envelope.content),
            }
        )
        if self.reply_delay:
            try:
                await asyncio.sleep(self.reply_delay)
            except asyncio.CancelledError:  # aiosmtpd cancels us when the client is gone
                self.write({"unanswered": message_id, "at": time.time()})
                raise
        return "250 OK"


async def serve(port: int, path: str, reply_delay: float) -> None:
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    with open(path, "a", encoding="utf-8") as log:
        handler = DrillSink(log, reply_delay)
        server = await loop.create_server(lambda: SMTP(handler), HOST, port)
        print(f"drill SMTP server on {HOST}:{port}", flush=True)
        await stopping.wait()
        server.close()
        await server.wait_closed()


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    asyncio.run(serve(int(argv[0]), argv[1], float(argv[2])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
