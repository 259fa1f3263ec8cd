"""A page by e-mail, through a real SMTP exchange (aiosmtpd on loopback): a plain-text
part and an HTML part with one large "I'll take it" button to the page's link, and
nothing in either that names who asked."""

from __future__ import annotations

import re
from email.message import Message
from typing import cast

from backline.notify.email.tests.smtp_server import SmtpServer
from backline.support import escalation, messages
from backline.support.models import Page
from tests import asking
from tests.harness import Clock, Team


def test_a_page_by_e_mail_has_a_text_part_and_an_html_part_with_one_large_button(
    team: Team, moment: Clock, smtp: SmtpServer
) -> None:
    request, _ = asking.reach_out(
        team.world.telecommunicator,
        team.world.region,
        escalation.Ask(urgency="now", contact="call", note="Rough night, Tess here"),
    )
    moment.tick()

    [received] = [r for r in smtp.received if r.to == ["a@mail.test"]]
    mail = received.message
    link = messages.page_link(Page.objects.get(request=request, peer=team.a).link_id)
    assert mail.get_content_type() == "multipart/alternative"
    parts = cast(list[Message], mail.get_payload())  # a multipart message's: its parts
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert received.body == (
        "A colleague reached out for peer support (now). Open Backline to respond.\n\n"
        f"I'll take it: {link}\n"
    )
    html = received.html
    [button] = re.findall(r'<a class="button" href="([^"]+)"[^>]*>([^<]+)</a>', html)
    assert button == (link, "I&#x27;ll take it")
    assert re.search(r"display:block; padding:18px 24px;[^\"]*font-size:20px", html)
    # accessible and readable in either scheme
    assert '<html lang="en" dir="ltr">' in html
    tables = re.findall(r"<table[^>]*>", html)
    assert tables and all('role="presentation"' in t for t in tables)
    assert '<meta name="color-scheme" content="light dark">' in html
    assert "@media (prefers-color-scheme: dark)" in html
    # lock-screen and preview safe: nothing of who asked, nor of their note
    whole = mail.as_string()
    for identifying in ("Tess", "Caller", "tc@harbor.test", "Rough night", request.public_id):
        assert identifying not in whole
