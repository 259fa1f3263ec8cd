"""A real SMTP server on the loopback address that accepts everything and notes when
each message arrived; run by ``bench/paging/`` as a process of its own::

    python -m bench.smtp_sink PORT LOG

It stands in for the e-mail provider: Backline's e-mail transport talks real SMTP to
it (no STARTTLS). For each message it appends one JSON line to LOG, written the moment
the message's data has arrived (before the ``250`` reply): the wall-clock time
(``time.time()``), the ``Message-ID`` (which Backline records as the outbox row's
``provider_id``), the recipients and the subject. It runs until SIGTERM or SIGINT.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
from email.parser import BytesHeaderParser
from typing import IO, Any

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, log: IO[str]) -> None:
        self.log = log
        self.parser = BytesHeaderParser()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        arrived = time.time()
        headers = self.parser.parsebytes(envelope.content)
        record = {
            "at": arrived,
            "message_id": str(headers.get("Message-ID", "")),
            "to": list(envelope.rcpt_tos),
            "subject": str(headers.get("Subject", "")),
        }
        self.log.write(json.dumps(record) + "\n")
        self.log.flush()
        return "250 OK"


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    port, path = int(argv[0]), argv[1]
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    with open(path, "a", encoding="utf-8") as log:
        controller = Controller(Sink(log), hostname="127.0.0.1", port=port)
        controller.start()
        print(f"SMTP sink on 127.0.0.1:{port}", flush=True)
        try:
            stopping.wait()
        finally:
            controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
