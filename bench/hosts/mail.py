"""The drill's mail host: ``bench/smtp_sink.py``'s sink, on the mail host's address::

    python -m bench.hosts.mail ADDRESS PORT LOG

The same ``Sink`` (one JSON line per message, written when its data has arrived,
before the ``250`` reply), served on ADDRESS rather than the loopback address, so that
the engines on the other hosts reach it across the drill's switch. It runs until
SIGTERM or SIGINT.
"""

from __future__ import annotations

import asyncio
import signal
import sys

from aiosmtpd.smtp import SMTP

from bench.smtp_sink import Sink


async def serve(address: str, port: int, path: str) -> None:
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    with open(path, "a", encoding="utf-8") as log:
        sink = Sink(log)
        server = await loop.create_server(lambda: SMTP(sink), address, port)
        print(f"SMTP sink on {address}:{port}", flush=True)
        await stopping.wait()
        server.close()
        await server.wait_closed()


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    asyncio.run(serve(sys.argv[1], int(sys.argv[2]), sys.argv[3]))
