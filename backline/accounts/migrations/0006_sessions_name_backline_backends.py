"""Sessions signed in through Django's or allauth's authentication backend name
Backline's own in their place (``backline.accounts.backends``): nobody is signed out."""

from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import migrations

# the backends that sessions used to name, and the ones that take their place
REPLACES = {
    "django.contrib.auth.backends.ModelBackend": "backline.accounts.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend": (
        "backline.accounts.backends.AuthenticationBackend"
    ),
}


def rename(apps, names):
    Session = apps.get_model("sessions", "Session")
    store = SessionStore()
    for session in Session.objects.iterator():
        data = store.decode(session.session_data)
        backend = names.get(data.get(BACKEND_SESSION_KEY))
        if backend is not None:
            data[BACKEND_SESSION_KEY] = backend
            Session.objects.filter(pk=session.pk).update(session_data=store.encode(data))


def forwards(apps, schema_editor):
    rename(apps, REPLACES)


def backwards(apps, schema_editor):
    rename(apps, {new: old for old, new in REPLACES.items()})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_role_change_append_only"), ("sessions", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
