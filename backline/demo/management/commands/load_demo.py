from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from backline.demo import data


class Command(BaseCommand):
    help = "Create the demo region, its agencies and people (safe to run twice)."

    def handle(self, *args: Any, **options: Any) -> None:
        region, created = data.load()
        if created:
            self.stdout.write(f"Created the demo region {region.name}.")
        else:
            self.stdout.write(f"The demo region {region.name} is already there; nothing changed.")
        self.stdout.write(f"Demo logins (password for all: {data.PASSWORD}):")
        for login in data.LOGINS:
            roles = ", ".join(str(role.label) for role in login.roles)
            reads = f" — {dict(settings.LANGUAGES)[login.language]}" if login.language else ""
            self.stdout.write(f"  {login.email:<26} {login.full_name} — {roles}{reads}")
