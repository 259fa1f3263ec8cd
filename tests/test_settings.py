"""Settings come from the environment through strict readers."""

from __future__ import annotations

import ast
import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from django.core.exceptions import ImproperlyConfigured

from backline.lib import env
from backline.notify.push.transport import _vapid

ROOT = Path(__file__).resolve().parent.parent


def test_flags_refuse_what_they_cannot_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKLINE_X", "yes")
    assert env.flag("BACKLINE_X") is True
    monkeypatch.setenv("BACKLINE_X", "maybe")
    with pytest.raises(ImproperlyConfigured, match="expected yes/no"):
        env.flag("BACKLINE_X")


def test_integers_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKLINE_N", "twelve")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env.integer("BACKLINE_N", 1)
    monkeypatch.setenv("BACKLINE_N", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env.integer("BACKLINE_N", 1, minimum=1)
    monkeypatch.delenv("BACKLINE_N")
    assert env.integer("BACKLINE_N", 7) == 7


def test_a_secret_may_come_from_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("BACKLINE_S", "from-the-environment")
    monkeypatch.setenv("BACKLINE_S_FILE", str(secret))
    assert env.text("BACKLINE_S") == "from-a-file"
    monkeypatch.setenv("BACKLINE_S_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="cannot read"):
        env.text("BACKLINE_S")


def test_words(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKLINE_W", " a, b ,,c ")
    assert env.words("BACKLINE_W") == ["a", "b", "c"]


SHOW = "import backline.settings as s; print(s.DEBUG, s.DATABASES['default']['ENGINE'])"


def load_settings(
    tmp_path: Path, code: str = SHOW, **variables: str
) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh Python with only ``variables`` set."""
    return _run([sys.executable, "-c", code], tmp_path, variables)


def load_settings_as_make_run(
    tmp_path: Path, code: str, **variables: str
) -> subprocess.CompletedProcess[str]:
    """``load_settings`` in the environment that scripts/run.sh gives Backline."""
    run_env = ["sh", "-c", '. scripts/run_env.sh && exec "$@"', "sh"]
    return _run([*run_env, sys.executable, "-c", code], tmp_path, variables)


def _run(
    command: list[str], tmp_path: Path, variables: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BACKLINE_", "DJANGO_", "DATABASE_URL"))
    }
    clean.update(BACKLINE_DATA_DIR=str(tmp_path), **variables)
    return subprocess.run(
        command,
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


def test_with_no_environment_it_runs_in_development_on_sqlite(tmp_path: Path) -> None:
    result = load_settings(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "django.db.backends.sqlite3"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_demands_secrets_and_hosts_and_refuses_demo_mode(tmp_path: Path) -> None:
    refused = load_settings(tmp_path, BACKLINE_ENV="production")
    assert "DJANGO_SECRET_KEY" in refused.stderr
    refused = load_settings(tmp_path, BACKLINE_ENV="production", DJANGO_SECRET_KEY="k" * 50)
    assert "BACKLINE_ALLOWED_HOSTS" in refused.stderr
    refused = load_settings(
        tmp_path,
        BACKLINE_ENV="production",
        DJANGO_SECRET_KEY="k" * 50,
        BACKLINE_ALLOWED_HOSTS="backline.example",
        BACKLINE_DEMO="1",
    )
    assert "BACKLINE_DEMO cannot be on in production" in refused.stderr
    production = {
        "BACKLINE_ENV": "production",
        "DJANGO_SECRET_KEY": "k" * 50,
        "BACKLINE_ALLOWED_HOSTS": "backline.example",
        "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/backline",
        "BACKLINE_SMTP_HOST": "smtp.backline.example",
    }
    refused = load_settings(tmp_path, **production)
    assert "BACKLINE_FIELD_KEYS" in refused.stderr
    accepted = load_settings(tmp_path, **production, BACKLINE_FIELD_KEYS=FIELD_KEYS)
    assert accepted.returncode == 0, accepted.stderr
    assert accepted.stdout.split() == ["False", "django.db.backends.postgresql"]


FIELD_KEYS = "k1:" + "A" * 43 + "="
PRODUCTION = {
    "BACKLINE_ENV": "production",
    "DJANGO_SECRET_KEY": "k" * 50,
    "BACKLINE_ALLOWED_HOSTS": "backline.example",
    "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/backline",
    "BACKLINE_FIELD_KEYS": FIELD_KEYS,
}
SHOW_EMAIL = "import backline.settings as s; print(s.EMAIL_BACKEND)"


def test_production_never_writes_mail_to_the_output(tmp_path: Path) -> None:
    refused = load_settings(tmp_path, SHOW_EMAIL, **PRODUCTION)
    assert refused.returncode != 0
    assert "BACKLINE_SMTP_HOST is required in production" in refused.stderr
    assert "BACKLINE_EMAIL=off" in refused.stderr
    smtp = load_settings(tmp_path, SHOW_EMAIL, **PRODUCTION, BACKLINE_SMTP_HOST="smtp.example")
    assert smtp.stdout.split() == ["django.core.mail.backends.smtp.EmailBackend"], smtp.stderr
    off = load_settings(tmp_path, SHOW_EMAIL, **PRODUCTION, BACKLINE_EMAIL="off")
    assert off.stdout.split() == ["django.core.mail.backends.dummy.EmailBackend"], off.stderr


def test_development_keeps_mail_in_files_for_the_mailbox(tmp_path: Path) -> None:
    result = load_settings(tmp_path, SHOW_EMAIL)
    assert result.stdout.split() == ["django.core.mail.backends.filebased.EmailBackend"]


def test_turning_e_mail_off_is_announced_at_start_up(tmp_path: Path) -> None:
    start = "import django; django.setup()"
    off = load_settings(
        tmp_path, start, **PRODUCTION, BACKLINE_EMAIL="off", DJANGO_SETTINGS_MODULE=SETTINGS
    )
    assert off.returncode == 0, off.stderr
    assert "e-mail is turned off (BACKLINE_EMAIL=off)" in off.stderr
    assert "fail over" in off.stderr
    on = load_settings(tmp_path, start, DJANGO_SETTINGS_MODULE=SETTINGS)
    assert on.returncode == 0, on.stderr
    assert "turned off" not in on.stderr


SETTINGS = "backline.settings"


SHOW_RUN = (
    "import backline.settings as s; print(s.DEBUG, s.DEMO_MFA_RELAXED, *s.ALLOWED_HOSTS,"
    " s.STORAGES['staticfiles']['BACKEND'])"
)


def test_make_run_serves_the_demo_with_debug_off_as_production_would(tmp_path: Path) -> None:
    result = load_settings_as_make_run(tmp_path, SHOW_RUN)
    assert result.returncode == 0, result.stderr
    debug, demo, *hosts, storage = result.stdout.split()
    assert (debug, demo) == ("False", "True")
    assert {"127.0.0.1", "localhost"} <= set(hosts)
    assert storage == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    # a developer who asks for debug still gets it
    asked = load_settings_as_make_run(tmp_path, SHOW_RUN, BACKLINE_DEBUG="on")
    assert asked.stdout.split()[0] == "True", asked.stderr


SHOW_VAPID = (
    "import backline.settings as s;"
    " print(repr(s.BACKLINE_VAPID_PUBLIC_KEY), repr(s.BACKLINE_VAPID_PRIVATE_KEY))"
)


def vapid_keys(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert result.returncode == 0, result.stderr
    return [ast.literal_eval(key) for key in result.stdout.split()]


def test_development_generates_web_push_keys_once_into_the_data_folder(tmp_path: Path) -> None:
    public, private = vapid_keys(load_settings_as_make_run(tmp_path, SHOW_VAPID))
    assert (tmp_path / "vapid_keys").stat().st_mode & 0o077 == 0
    raw_public = base64.urlsafe_b64decode(public + "=" * (-len(public) % 4))
    derived = _vapid(private).public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    assert derived == raw_public  # a pair the push transport and browsers can use
    assert vapid_keys(load_settings(tmp_path, SHOW_VAPID)) == [public, private]  # kept
    given = load_settings(
        tmp_path, SHOW_VAPID, BACKLINE_VAPID_PUBLIC_KEY="BPub", BACKLINE_VAPID_PRIVATE_KEY="pk"
    )
    assert vapid_keys(given) == ["BPub", "pk"]


def test_production_takes_web_push_keys_only_from_the_environment(tmp_path: Path) -> None:
    production = {**PRODUCTION, "BACKLINE_EMAIL": "off"}
    assert vapid_keys(load_settings(tmp_path, SHOW_VAPID, **production)) == ["", ""]
    assert not (tmp_path / "vapid_keys").exists()
