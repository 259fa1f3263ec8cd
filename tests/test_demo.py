"""The demo region that `make run` loads."""

from django.core.management import call_command

from backline.accounts.models import Agency, Membership, User
from backline.accounts.roles import Role
from backline.demo import data


def test_load_demo_creates_a_realistic_region_once(db, capsys):
    call_command("load_demo")
    call_command("load_demo")
    output = capsys.readouterr().out
    assert "already there; nothing changed" in output
    assert "telecom@example.org" in output and data.PASSWORD in output

    assert Agency.objects.count() == 3
    assert len({a.time_zone for a in Agency.objects.all()}) >= 1

    def count(role: Role) -> int:
        return Membership.objects.filter(role=role).count()

    assert count(Role.TELECOMMUNICATOR) >= 40
    assert count(Role.PEER) == 8
    assert count(Role.COORDINATOR) == 1
    assert count(Role.CLINICIAN) == 1
    assert count(Role.ADMINISTRATOR) == 1
    assert not User.objects.filter(is_demo=False).exists()
    for login in data.LOGINS:
        user = User.objects.get(email=login.email)
        assert user.check_password(data.PASSWORD)
        assert user.roles == {str(r) for r in login.roles}
