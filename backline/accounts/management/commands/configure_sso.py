"""Set up, change or remove a region's single sign-on (OpenID Connect) application.

    manage.py configure_sso --region harbor --name "Agency SSO" \\
        --server-url https://idp.example/realms/x --client-id backline \\
        --client-secret-file /run/secrets/harbor_oidc
    manage.py configure_sso --region harbor --remove

See docs/sso.md.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from allauth import app_settings as allauth_settings
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.contrib.sites.models import Site
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.urls import reverse

from backline.accounts.models import Region

PROVIDER = "openid_connect"
NAME_MAX = SocialApp._meta.get_field("name").max_length or 40
CLIENT_ID_MAX = SocialApp._meta.get_field("client_id").max_length or 191
SECRET_MAX = SocialApp._meta.get_field("secret").max_length or 191


def provider_id_for(region: Region) -> str:
    return f"region-{region.slug}"


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def clean_server_url(value: str) -> str:
    """The issuer's base URL: HTTPS, or plain HTTP on this machine only (for tests)."""
    try:
        url = urlsplit(value.strip())
        host = url.hostname or ""
        url.port  # noqa: B018 -- raises ValueError on a malformed port
    except ValueError as e:
        raise CommandError(f"--server-url: not a valid URL ({e})") from e
    if not host:
        raise CommandError("--server-url: give a full URL, e.g. https://idp.example/realms/x")
    if url.scheme != "https" and not (url.scheme == "http" and is_loopback(host)):
        raise CommandError(
            "--server-url must use https:// (plain http:// is allowed only for localhost "
            "and loopback addresses)"
        )
    if url.username or url.password or url.query or url.fragment:
        raise CommandError("--server-url: no user name, password, query or fragment allowed")
    return url.geturl().rstrip("/")


def read_secret(options: dict[str, Any]) -> str:
    if options["client_secret_file"]:
        path = Path(options["client_secret_file"])
        try:
            secret = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as e:
            raise CommandError(f"--client-secret-file: cannot read {path}: {e}") from e
    else:
        secret = (options["client_secret"] or "").strip()
    if not secret:
        raise CommandError("the client secret is empty")
    if len(secret) > SECRET_MAX:
        raise CommandError(f"the client secret is longer than {SECRET_MAX} characters")
    return secret


class Command(BaseCommand):
    help = "Set up, change or remove a region's single sign-on (OpenID Connect). See docs/sso.md."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--region", required=True, help="the region's short name (slug)")
        parser.add_argument("--remove", action="store_true", help="turn single sign-on off")
        parser.add_argument("--name", help=f"button label on the sign-in page (≤ {NAME_MAX})")
        parser.add_argument(
            "--server-url", help="the issuer URL (its /.well-known/openid-configuration)"
        )
        parser.add_argument("--client-id", help="the client ID registered at the provider")
        secret = parser.add_mutually_exclusive_group()
        secret.add_argument("--client-secret", help="the client secret (visible in `ps`)")
        secret.add_argument("--client-secret-file", help="a file holding the client secret")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            region = Region.objects.select_related("sso_app").get(slug=options["region"])
        except Region.DoesNotExist:
            raise CommandError(f"no region with the short name {options['region']!r}") from None
        if options["remove"]:
            given = [
                f"--{key.replace('_', '-')}"
                for key in (
                    "name",
                    "server_url",
                    "client_id",
                    "client_secret",
                    "client_secret_file",
                )
                if options[key] is not None
            ]
            if given:
                raise CommandError(f"--remove takes no other options (got {', '.join(given)})")
            self.remove(region)
        else:
            self.configure(region, options)

    def configure(self, region: Region, options: dict[str, Any]) -> None:
        # argparse checks this from the command line, call_command() does not.
        if options["client_secret"] is not None and options["client_secret_file"] is not None:
            raise CommandError(
                "argument --client-secret-file: not allowed with argument --client-secret"
            )
        missing = [
            flag
            for flag, key in (
                ("--name", "name"),
                ("--server-url", "server_url"),
                ("--client-id", "client_id"),
            )
            if not (options[key] or "").strip()
        ]
        if not (options["client_secret"] or options["client_secret_file"]):
            missing.append("--client-secret or --client-secret-file")
        if missing:
            raise CommandError(f"missing: {', '.join(missing)}")
        name = options["name"].strip()
        if len(name) > NAME_MAX:
            raise CommandError(f"--name: at most {NAME_MAX} characters")
        client_id = options["client_id"].strip()
        if len(client_id) > CLIENT_ID_MAX:
            raise CommandError(f"--client-id: at most {CLIENT_ID_MAX} characters")
        server_url = clean_server_url(options["server_url"])
        secret = read_secret(options)
        provider_id = provider_id_for(region)

        with transaction.atomic():
            app = region.sso_app
            if app is None:
                app = SocialApp.objects.filter(provider=PROVIDER, provider_id=provider_id).first()
                other = getattr(app, "region", None) if app else None
                if other is not None and other.pk != region.pk:
                    raise CommandError(
                        f"the provider ID {provider_id} is used by the region {other.slug}"
                    )
            created = app is None
            if app is None:
                app = SocialApp(provider=PROVIDER)
            old_server_url = (app.settings or {}).get("server_url") if not created else None
            old_provider_id = app.provider_id
            app.provider = PROVIDER
            app.provider_id = provider_id
            app.name = name
            app.client_id = client_id
            app.secret = secret
            app.settings = {"server_url": server_url}
            app.save()
            if allauth_settings.SITES_ENABLED:
                app.sites.add(Site.objects.get_current())
            if region.sso_app_id != app.pk:
                region.sso_app = app
                region.save(update_fields=["sso_app"])
            # Subject identifiers are only unique per issuer: links made with another
            # provider must not let its subjects in. People re-link by verified e-mail.
            # (Links left by an application deleted some other way are dropped too.)
            dropped = 0
            if created or old_server_url != server_url or old_provider_id != provider_id:
                dropped = sum(self.drop_links(p) for p in {old_provider_id, provider_id})

        verb = "Set up" if created else "Updated"
        self.stdout.write(f"{verb} single sign-on for {region.name}: {name} ({server_url}).")
        if dropped:
            self.stdout.write(f"Removed {dropped} earlier link(s) to this provider ID.")
        callback = reverse("openid_connect_callback", kwargs={"provider_id": provider_id})
        self.stdout.write(
            "Register this redirect URI at the identity provider: "
            f"https://<backline host>{callback}"
        )

    def remove(self, region: Region) -> None:
        app = region.sso_app
        if app is None:
            self.stdout.write(f"{region.name} has no single sign-on; nothing changed.")
            return
        with transaction.atomic():
            region.sso_app = None
            region.save(update_fields=["sso_app"])
            dropped = self.drop_links(app.provider_id)
            app.delete()
        self.stdout.write(
            f"Removed single sign-on for {region.name} ({dropped} link(s) removed). "
            "Its people sign in with their password (or set one with 'Forgot your password?')."
        )

    @staticmethod
    def drop_links(provider_id: str) -> int:
        if not provider_id:
            return 0
        _, per_model = SocialAccount.objects.filter(provider=provider_id).delete()
        return per_model.get(SocialAccount._meta.label, 0)
