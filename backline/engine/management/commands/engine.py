import logging
import signal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from backline.engine.loop import Loop, engine_name, tick


class Command(BaseCommand):
    help = "Run the paging engine: escalate requests and deliver notifications."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run one tick and exit.")
        parser.add_argument(
            "--poll",
            type=float,
            default=None,
            help="Seconds between checks when idle (default 0.2 on SQLite; on PostgreSQL "
            "new work wakes the engine at once and this is the longest wait, 0.5). It never "
            "sleeps past the moment the next step or message falls due.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            self.stdout.write(str(tick()))
            return
        default = 0.5 if connection.vendor == "postgresql" else 0.2
        loop = Loop(options["poll"] or default)
        signal.signal(signal.SIGTERM, loop.stop)
        signal.signal(signal.SIGINT, loop.stop)
        logging.getLogger(__name__).info("engine %s started", engine_name())
        self.stdout.write(f"Backline engine {engine_name()} running; stop with Ctrl-C.")
        loop.run()
        self.stdout.write("Backline engine stopped.")
