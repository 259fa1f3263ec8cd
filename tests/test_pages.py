"""Every page: a strict Content-Security-Policy, no inline script, and the Reach out
button for exactly those who can reach out."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

import backline
from tests.harness import ClientOf
from tests.personas import World

PAGES = [
    "home",
    "support:reach_out",
    "support:open",
    "support:team",
    "security_setup",
    "who_has_seen_my_data",
    "roster:people",
    "roster:agencies",
    "roster:invitations",
    "roster:agency_new",
]


def test_pages_carry_a_strict_policy_and_no_inline_script(
    world: World, client_of: ClientOf
) -> None:
    client = client_of(world.coordinator)
    client.force_login(world.coordinator)
    for name in [*PAGES, "account_login"]:
        response = client.get(reverse(name))
        if response.status_code != 200:
            continue
        policy = response["Content-Security-Policy"]
        assert "script-src 'self';" in policy and "'unsafe-inline'" not in policy
        assert "frame-ancestors 'none'" in policy
        html = response.content.decode()
        inline = re.findall(r"<script(?![^>]*\b(src|type=\"application/json\")\b)[^>]*>", html)
        assert inline == [], name
        assert " style=" not in html and " onclick=" not in html, name


def test_the_reach_out_button_is_for_telecommunicators(world: World, client_of: ClientOf) -> None:
    assert (
        b'class="reach-out-button"'
        in client_of(world.telecommunicator).get(reverse("security_setup")).content
    )
    assert (
        b'class="reach-out-button"' in client_of(world.peer).get(reverse("security_setup")).content
    )
    for persona in (world.coordinator, world.clinician, world.administrator):
        assert (
            b'class="reach-out-button"'
            not in client_of(persona).get(reverse("security_setup")).content
        )


TEMPLATES = sorted(Path(backline.__file__).parent.glob("*/templates/**/*.html"))
NOT_TEXT = [
    r"{% comment %}.*?{% endcomment %}",
    r"{% blocktranslate.*?{% endblocktranslate %}",
    r"<script.*?</script>",
    r"<style.*?</style>",
    r"{%.*?%}",
    r"{{.*?}}",
    r"<[^>]*>",
    r"&[a-z]+;",
    r"\bBackline\b",  # the product's name is not translated
]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_every_template_string_is_marked_for_translation(template: Path) -> None:
    text = template.read_text()
    for pattern in NOT_TEXT:
        text = re.sub(pattern, " ", text, flags=re.DOTALL)
    assert re.sub(r"[\s·—:,.()|/-]", "", text) == "", (
        f"untranslated text in {template}: {text.split()}"
    )
