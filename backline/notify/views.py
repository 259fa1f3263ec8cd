"""A person's own contact methods and notification rules.

Everything here is reached through ``visible_to(user)``: someone else's method or rule
is a 404, the same as one that does not exist.
"""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from backline.accounts.access import MemberRequest
from backline.accounts.reauth import confirm_access
from backline.lib import clock, confirm
from backline.notify import outbox, verification
from backline.notify.forms import CodeForm, ContactMethodForm, RuleForm
from backline.notify.models import Channel, ContactMethod, NotificationRule
from backline.privacy.access import SIGNED_IN, access

ADDABLE = (Channel.EMAIL, Channel.SMS, Channel.VOICE)
TEST_PAUSE_SECONDS = 60


def _addable() -> tuple[str, ...]:
    """With e-mail turned off (``BACKLINE_EMAIL=off``) no address could be verified."""
    return ADDABLE if settings.BACKLINE_EMAIL else tuple(c for c in ADDABLE if c != Channel.EMAIL)


def _mine(request: MemberRequest, pk: int) -> ContactMethod:
    return get_object_or_404(ContactMethod.objects.visible_to(request.user), pk=pk)


def _methods_context(request: MemberRequest, rule_form: RuleForm | None = None) -> dict[str, Any]:
    user = request.user
    return {
        "methods": list(ContactMethod.objects.visible_to(user)),
        "rules": list(
            NotificationRule.objects.visible_to(user)
            .select_related("contact_method")
            .order_by("delay_minutes", "pk")
        ),
        "rule_form": rule_form or RuleForm(owner=user),
        "addable": [
            (channel.value, label)
            for channel, label in [
                (Channel.EMAIL, _("Add an e-mail address")),
                (Channel.SMS, _("Add a mobile number for text messages")),
                (Channel.VOICE, _("Add a phone number for calls")),
            ]
            if channel in _addable()
        ],
        "vapid_public_key": settings.BACKLINE_VAPID_PUBLIC_KEY,
    }


@access(SIGNED_IN)
def methods(request: MemberRequest) -> HttpResponse:
    return render(request, "notify/methods.html", _methods_context(request))


@access(SIGNED_IN)
def method_add(request: MemberRequest, channel: str) -> HttpResponse:
    if channel not in _addable():
        raise Http404
    form = ContactMethodForm(request.POST or None, owner=request.user, channel=channel)
    if request.method == "POST" and form.is_valid():
        confirm_access(request)
        method = ContactMethod.objects.create(
            user=request.user,
            channel=channel,
            value=form.cleaned_data["value"],
            label=form.cleaned_data["label"],
        )
        _send_code(request, method)
        return redirect("notify:method_verify", pk=method.pk)
    return render(
        request,
        "notify/method_add.html",
        {"form": form, "channel": channel, "channel_label": Channel(channel).label},
    )


def _send_code(request: MemberRequest, method: ContactMethod) -> None:
    try:
        verification.send_code(method)
    except verification.TooSoon as refused:
        minutes = _minutes_until(refused)
        messages.error(
            request,
            ngettext(
                "A code was sent moments ago. You can ask again in %(count)s minute.",
                "A code was sent moments ago. You can ask again in %(count)s minutes.",
                minutes,
            )
            % {"count": minutes},
        )
    except verification.TooMany as refused:
        minutes = _minutes_until(refused)
        messages.error(
            request,
            ngettext(
                "Too many codes were sent in the last hour. You can ask again in %(count)s minute.",
                "Too many codes were sent in the last hour. You can ask again in %(count)s "
                "minutes.",
                minutes,
            )
            % {"count": minutes},
        )
    except verification.NotDelivered:
        messages.error(
            request,
            _(
                "We could not send a code there. Check it, or try again in a few minutes; "
                "if it keeps failing, remove it and add it again."
            ),
        )
    except verification.CannotSend:
        messages.info(request, _("This one is already verified."))
    else:
        if method.channel == Channel.VOICE:
            text = _("We are calling %(value)s to read you a 6-digit code.")
        else:
            text = _("We sent a 6-digit code to %(value)s.")
        messages.success(request, text % {"value": method.value})


def _minutes_until(refused: verification.CannotSend) -> int:
    if refused.until is None:
        return 60
    return max(1, math.ceil((refused.until - clock.now()).total_seconds() / 60))


@access(SIGNED_IN)
def method_verify(request: MemberRequest, pk: int) -> HttpResponse:
    method = _mine(request, pk)
    if method.is_verified:
        messages.info(request, _("This one is already verified."))
        return redirect("notify:methods")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = verification.check_code(method, form.cleaned_data["code"])
        check = verification.Check
        if result.check in (check.VERIFIED, check.ALREADY_VERIFIED):
            messages.success(
                request,
                _("Verified. Backline can now reach you at %(value)s.")
                % {"value": method.shown_value},
            )
            return redirect("notify:methods")
        if result.check == check.WRONG and result.guesses_left:
            form.add_error(
                "code",
                _("That code is not right. You can try %(count)s more times.")
                % {"count": result.guesses_left},
            )
        elif result.check == check.WRONG:
            form.add_error(
                "code", _("That code is not right, and it no longer works. Ask for a new code.")
            )
        elif result.check == check.EXPIRED:
            form.add_error("code", _("This code has expired. Ask for a new code."))
        else:
            form.add_error("code", _("No code is waiting for this one. Ask for a new code."))
        method.refresh_from_db()
    return render(
        request,
        "notify/method_verify.html",
        {"method": method, "form": form, "has_code": bool(method.code_digest)},
    )


@require_POST
@access(SIGNED_IN)
def method_resend(request: MemberRequest, pk: int) -> HttpResponse:
    method = _mine(request, pk)
    _send_code(request, method)
    if method.is_verified:
        return redirect("notify:methods")
    return redirect("notify:method_verify", pk=method.pk)


@access(SIGNED_IN)
def method_remove(request: MemberRequest, pk: int) -> HttpResponse:
    method = _mine(request, pk)
    if request.method == "POST" and confirm.confirmed(request):
        confirm_access(request)
        shown = method.shown_value
        outbox.withdraw(method)
        messages.success(request, _("Removed %(value)s.") % {"value": shown})
        return redirect("notify:methods")
    return render(request, "notify/method_remove.html", {"method": method})


@require_POST
@access(SIGNED_IN)
def method_enable(request: MemberRequest, pk: int) -> HttpResponse:
    method = _mine(request, pk)
    enabled = request.POST.get("enabled") == "yes"
    if not enabled and not confirm.confirmed(request):  # turning off pages: confirmed only
        return redirect("notify:methods")
    ContactMethod.objects.filter(pk=method.pk).update(disabled=not enabled)
    if enabled:
        messages.success(request, _("Turned on: %(value)s.") % {"value": method.shown_value})
    else:
        messages.success(
            request,
            _("Turned off: %(value)s. Pages will not use it until you turn it on again.")
            % {"value": method.shown_value},
        )
    return redirect("notify:methods")


def _test_message() -> outbox.Message:
    return outbox.Message(
        subject=_("Backline: test message"),
        body=_("This is the test you asked for. Pages will reach you like this."),
        link=settings.BACKLINE_PUBLIC_URL.rstrip("/") + reverse("notify:methods"),
    )


@require_POST
@access(SIGNED_IN)
def method_test(request: MemberRequest, pk: int) -> HttpResponse:
    """Send a test through the outbox, as a page would go."""
    method = _mine(request, pk)
    if not method.is_usable:
        messages.error(request, _("Only a verified method that is turned on can be tested."))
        return redirect("notify:methods")
    if not cache.add(f"notify:test:{method.pk}", 1, timeout=TEST_PAUSE_SECONDS):
        messages.error(request, _("A test was sent less than a minute ago."))
        return redirect("notify:methods")
    now = clock.now()
    outbox.enqueue_to_method(
        method,
        f"test:{method.pk}",
        f"test:{method.pk}:{now.timestamp()}",
        _test_message,
    )
    messages.success(request, _("A test message is on its way."))
    return redirect("notify:methods")


@require_POST
@access(SIGNED_IN)
def rule_add(request: MemberRequest) -> HttpResponse:
    form = RuleForm(request.POST, owner=request.user)
    if form.is_valid():
        try:
            with transaction.atomic():
                NotificationRule.objects.create(
                    user=request.user,
                    contact_method=form.cleaned_data["contact_method"],
                    delay_minutes=form.cleaned_data["delay_minutes"],
                )
        except IntegrityError:  # the same rule, added twice at once
            pass
        messages.success(request, _("Rule added."))
        return redirect("notify:methods")
    return render(request, "notify/methods.html", _methods_context(request, form))


@require_POST
@access(SIGNED_IN)
def rule_remove(request: MemberRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(NotificationRule.objects.visible_to(request.user), pk=pk)
    rule.delete()
    messages.success(request, _("Rule removed."))
    return redirect("notify:methods")
