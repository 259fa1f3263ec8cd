"""Helpers for the browser tests: accessibility and CSP checks, tap-target sizes, the
header's menu, signing in, TOTP codes."""

from __future__ import annotations

import json
import re
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from allauth.mfa import app_settings as mfa_settings
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import ConsoleMessage, Error, Locator, Page, expect

from tests.personas import PASSWORD, totp_code

# a phone, held by a thumb, in dark mode: where people meet Backline at 3 a.m.
ON_A_PHONE: dict[str, Any] = {
    "viewport": {"width": 375, "height": 667},
    "is_mobile": True,
    "has_touch": True,
    "color_scheme": "dark",
}

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
SIGN_IN_STEPS = re.compile(r"/accounts/(login|2fa/authenticate|2fa/trust)/(\?.*)?$")

_axe = Axe()


@dataclass
class PageWatch:
    """What the watched pages reported that must never happen."""

    csp: list[str] = field(default_factory=list)
    script_errors: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert not self.csp, "Content-Security-Policy violations:\n" + "\n".join(self.csp)
        assert not self.script_errors, "Uncaught script errors:\n" + "\n".join(self.script_errors)


_watches: weakref.WeakKeyDictionary[Page, PageWatch] = weakref.WeakKeyDictionary()


def watch(page: Page, into: PageWatch) -> None:
    """Record the page's CSP violations (reported on the console) and uncaught errors."""

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            into.csp.append(f"{page.url}: {message.text}")

    def on_error(error: Error) -> None:
        into.script_errors.append(f"{page.url}: {error}")

    page.on("console", on_console)
    page.on("pageerror", on_error)
    _watches[page] = into


def _describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    at {json.dumps(node['target'])}: {node['html'][:200]}")
            summary = " ".join((node.get("failureSummary") or "").split())
            if summary:
                lines.append(f"      {summary[:400]}")
    return "\n".join(lines)


def check_page(page: Page, name: str) -> None:
    """Run axe on the page as it is now, keep a full-page screenshot as
    ``test-artifacts/screenshots/<name>.png``, and fail on serious or critical
    accessibility violations and on any CSP violation so far."""
    page.wait_for_load_state("load")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    results = _axe.run(page)
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    if blocking:
        report = f"axe found on {name} ({page.url}):\n{_describe(blocking)}"
        print(report)
        pytest.fail(report, pytrace=False)
    watched = _watches.get(page)
    if watched is not None:
        watched.assert_clean()


# Every visible control a finger may have to hit, with its box. A checkbox or radio
# button is hit through its label (the whole row), so the label is measured instead.
# A link inside a sentence is exempt, as WCAG 2.5.8 allows: its size is set by the
# text around it.
_TAP_TARGETS = """
() => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, label';
  const isChoice = (e) => e instanceof HTMLInputElement && ['checkbox', 'radio'].includes(e.type);
  const inSentence = (e) => {
    if (getComputedStyle(e).display !== 'inline') return false;
    let block = e.parentElement;
    while (block && getComputedStyle(block).display.startsWith('inline')) {
      block = block.parentElement;
    }
    const rest = (block ? block.innerText : '').replace(e.innerText, '');
    return /\\p{L}{2,}/u.test(rest);
  };
  const found = [];
  for (const e of document.querySelectorAll(selector)) {
    if (!e.checkVisibility({visibilityProperty: true})) continue;
    if (e.closest('.visually-hidden')) continue;
    if (e.tagName === 'LABEL' && !isChoice(e.control)) continue;
    if (isChoice(e) && e.labels.length) continue;
    if (e.tagName === 'A' && inSentence(e)) continue;
    const box = e.getBoundingClientRect();
    const text = (e.innerText || e.value || e.name || e.id || '').trim().replace(/\\s+/g, ' ');
    found.push({what: `${e.tagName.toLowerCase()} "${text.slice(0, 60)}"`,
                width: box.width, height: box.height});
  }
  return found;
}
"""


def tap_targets(page: Page) -> list[dict[str, Any]]:
    """Every visible tap target on the page as it is now: ``what``, ``width``, ``height``."""
    result: list[dict[str, Any]] = page.evaluate(_TAP_TARGETS)
    return result


def assert_tap_targets(page: Page, name: str, minimum: float = 44) -> None:
    """Fail unless every visible tap target on the page is at least ``minimum`` CSS
    pixels wide and tall (WCAG 2.5.5), naming the ones that are smaller."""
    targets = tap_targets(page)
    assert targets, f"{name}: no tap target found at all"
    small = [t for t in targets if t["width"] < minimum or t["height"] < minimum]
    assert not small, f"{name} ({page.url}): tap targets under {minimum}x{minimum} px:\n" + (
        "\n".join(f"- {t['what']}: {t['width']:.0f}x{t['height']:.0f}" for t in small)
    )


def open_menu(page: Page) -> Locator:
    """Open the header's menu (if it is closed) and return its navigation."""
    menu = page.locator(".site-menu")
    if menu.get_attribute("open") is None:
        menu.locator("summary").click()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_visible()
    return nav


def fresh_totp_code(secret: str, margin: float = 5.0) -> str:
    """The current code, waiting for the next period if this one is about to end, so
    that the server (which allows no clock tolerance) still accepts it."""
    period = mfa_settings.TOTP_PERIOD
    left = period - time.time() % period
    if left < margin:
        time.sleep(left + 0.1)
    return totp_code(secret)


def wrong_totp_code(secret: str) -> str:
    """A six-digit code that is not valid in this period nor the next."""
    valid = {totp_code(secret), fresh_totp_code(secret)}
    return next(code for code in ("000000", "111111", "222222") if code not in valid)


def submit_password(page: Page, site: str, email: str, *, suffix: str = "") -> None:
    """Open the sign-in page, check it, and send e-mail and password."""
    page.goto(f"{site}/accounts/login/")
    check_page(page, f"login{suffix}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


def submit_code(page: Page, code: str, *, suffix: str = "") -> None:
    """Check allauth's second step and answer it with an authenticator code."""
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    check_page(page, f"mfa-authenticate{suffix}")
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Sign In", exact=True).click()


def answer_trust(page: Page, trust: bool, *, suffix: str = "") -> None:
    """Check allauth's "trust this browser" step and answer it (ADR 0014)."""
    expect(page).to_have_url(re.compile(r"/accounts/2fa/trust/$"))
    check_page(page, f"mfa-trust{suffix}")
    if trust:
        page.get_by_label(re.compile("Trust this browser")).check()
    page.get_by_role("button", name="Continue").click()


def sign_in(
    page: Page,
    site: str,
    user: Any,
    secret: str | None = None,
    *,
    suffix: str = "",
    trust: bool = False,
) -> None:
    """Sign in through the real forms; with ``secret``, answer the TOTP step and the
    question whether to trust this browser (``trust``). Each step's page is checked
    (their screenshots' names end with ``suffix``)."""
    submit_password(page, site, user.email, suffix=suffix)
    if secret is not None:
        submit_code(page, fresh_totp_code(secret), suffix=suffix)
        answer_trust(page, trust, suffix=suffix)
    expect(page).not_to_have_url(SIGN_IN_STEPS)


def confirm_password(page: Page) -> None:
    """allauth asks for the password again before a second factor is added, even just
    after signing in (only a re-authentication counts as recent)."""
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/\?next="))
    check_page(page, "reauthenticate")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()


def sign_out(page: Page) -> None:
    open_menu(page).get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
