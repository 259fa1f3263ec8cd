"""The drill's mail host: ``bench/smtp_sink.py``'s sink, on the mail host's address::

    python -m bench.hosts.mail ADDRESS PORT LOG

The same ``Sink`` (one JSON line per message, written when its data has arrived,
before the ``250`` reply), listening on ADDRESS rather than the loopback address, so
that the engines on the other hosts reach it across the drill's switch.
"""

from __future__ import annotations

import signal
import sys
import threading

from aiosmtpd.controller import Controller

from bench.smtp_sink import Sink


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    address, port, path = argv[0], int(argv[1]), argv[2]
    stopping = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.set())
    with open(path, "a", encoding="utf-8") as log:
        controller = Controller(Sink(log), hostname=address, port=port)
        controller.start()
        print(f"SMTP sink on {address}:{port}", flush=True)
        try:
            stopping.wait()
        finally:
            controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
