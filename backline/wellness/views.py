"""A person's own self-checks: take one, see its result and the trend, set reminders,
export or delete everything. Every page is for its owner alone; nobody else's result
exists here for anyone (another person's result answers 404, whatever their role), and
nothing of what a page shows is written to any log or audit trail.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backline.accounts import help_lines
from backline.accounts.access import MemberRequest
from backline.accounts.roles import Role
from backline.lib import clock, confirm, tokens
from backline.privacy.access import SIGNED_IN, access
from backline.wellness import chart, reminders
from backline.wellness.forms import CheckForm, ReminderForm
from backline.wellness.instruments import (
    INSTRUMENTS,
    PROQOL5,
    PUBLISHED_IN,
    RED_ZONE,
    STRESS,
    Instrument,
)
from backline.wellness.models import Every, Reminder, SelfCheck, by_instrument, of, remove_all


def _instrument(name: str) -> Instrument:
    try:
        return INSTRUMENTS[name]
    except KeyError:
        raise Http404 from None


def _may_reach_out(request: MemberRequest) -> bool:
    return request.user.has_role(Role.TELECOMMUNICATOR, Role.PEER)


@access(SIGNED_IN)
def index(request: MemberRequest) -> HttpResponse:
    user = request.user
    results = by_instrument(of(user))
    latest = {key: found[-1] for key, found in results.items()}
    now = clock.now()
    proqol = latest.get(PROQOL5.key)
    reminder = Reminder.objects.filter(owner=user).first()
    return render(
        request,
        "wellness/index.html",
        {
            "instruments": [
                (i, latest.get(i.key), len(results.get(i.key, []))) for i in INSTRUMENTS.values()
            ],
            "suggest_proqol": user.has_role(Role.PEER)
            and reminders.proqol_suggested(proqol[0] if proqol else None, now),
            "reminder": reminder,
            "taken": sum(len(found) for found in results.values()),
            "eap_lines": help_lines.eap_lines(user),
        },
    )


@access(SIGNED_IN)
def take(request: MemberRequest, name: str) -> HttpResponse:
    instrument = _instrument(name)
    form = CheckForm(instrument, request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = SelfCheck(
            owner=request.user,
            taken_at=clock.now(),
            answers_sealed=form.answers().dumps(),
            once_digest=tokens.digest(
                tokens.keyed("self-check", request.user.pk, form.cleaned_data["once"])
            ),
        )
        try:
            with transaction.atomic():
                check.save()
        except IntegrityError:
            found = (
                SelfCheck.objects.visible_to(request.user)
                .filter(once_digest=check.once_digest)
                .first()
            )
            if found is None:
                raise
            messages.info(request, _("These answers were already saved."))
            return redirect("wellness:result", pk=found.pk)
        return redirect("wellness:result", pk=check.pk)
    if request.method == "POST":
        messages.error(request, _("A few questions have no answer yet. Each one is marked below."))
    in_english = instrument.shown_in_english(translation.get_language())
    return render(
        request,
        "wellness/take.html",
        # the items' own language, for screen readers, when the page is in another
        {
            "instrument": instrument,
            "form": form,
            "wording_lang": PUBLISHED_IN if in_english else "",
        },
    )


@access(SIGNED_IN)
def result(request: MemberRequest, pk: int) -> HttpResponse:
    check = get_object_or_404(SelfCheck.objects.visible_to(request.user), pk=pk)
    answers = check.answers
    found = answers.result
    instrument = answers.instrument
    zone = found.scales[0].total if instrument is STRESS else None
    return render(
        request,
        "wellness/result.html",
        {
            "check": check,
            "instrument": instrument,
            "result": found,
            "extra": dict((c.value, c.label) for c in instrument.extra_choices).get(answers.extra)
            if answers.extra is not None
            else None,
            "crisis": found.crisis or zone == RED_ZONE,
            "may_reach_out": _may_reach_out(request),
            "eap_lines": help_lines.eap_lines(request.user),
        },
    )


@access(SIGNED_IN)
def trend(request: MemberRequest, name: str) -> HttpResponse:
    instrument = _instrument(name)
    results = by_instrument(of(request.user)).get(instrument.key, [])
    charts = [
        chart.draw(scale, [(when, found.scales[index].total) for when, found in results])
        for index, scale in enumerate(instrument.scales)
    ]
    return render(
        request,
        "wellness/trend.html",
        {"instrument": instrument, "results": results, "charts": charts},
    )


@access(SIGNED_IN)
def reminder(request: MemberRequest) -> HttpResponse:
    user = request.user
    current = Reminder.objects.filter(owner=user).first()
    form = ReminderForm(request.POST or None, initial={"every": current.every if current else ""})
    if request.method == "POST" and form.is_valid():
        every = form.cleaned_data["every"]
        found = reminders.set_reminder(user, Every(every) if every else None, clock.now())
        if found is None:
            messages.success(request, _("No more reminders."))
        else:
            messages.success(
                request,
                _("Saved. Your next reminder comes on %(day)s.")
                % {"day": found.next_at.astimezone(user.time_zone).strftime("%Y-%m-%d")},
            )
        return redirect("wellness:index")
    return render(request, "wellness/reminder.html", {"form": form, "reminder": current})


def _rows(request: MemberRequest) -> list[dict[str, Any]]:
    """Every result of the person, with every answer and score, oldest first."""
    rows = []
    for check in of(request.user):
        answers = check.answers
        found = answers.result
        rows.append(
            {
                "taken_at": check.taken_at.isoformat(),
                "instrument": answers.instrument.key,
                "answers": list(answers.items),
                "extra_answer": answers.extra,
                "scores": {s.scale.key: s.total for s in found.scales},
                "bands": {s.scale.key: str(s.band.label) for s in found.scales},
                "clusters": {c.cluster.key: c.total for c in found.clusters},
            }
        )
    return rows


def _attachment(content: str, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@access(SIGNED_IN)
def export_json(request: MemberRequest) -> HttpResponse:
    payload = {"exported_at": clock.now().isoformat(), "results": _rows(request)}
    return _attachment(
        json.dumps(payload, indent=2), "application/json", "backline-self-checks.json"
    )


@access(SIGNED_IN)
def export_csv(request: MemberRequest) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["taken_at", "instrument", "answers", "extra_answer", "scores", "bands"])
    for row in _rows(request):
        writer.writerow(
            [
                row["taken_at"],
                row["instrument"],
                " ".join(map(str, row["answers"])),
                "" if row["extra_answer"] is None else row["extra_answer"],
                " ".join(f"{k}={v}" for k, v in {**row["scores"], **row["clusters"]}.items()),
                "; ".join(f"{k}: {v}" for k, v in row["bands"].items()),
            ]
        )
    return _attachment(out.getvalue(), "text/csv; charset=utf-8", "backline-self-checks.csv")


@require_POST
@access(SIGNED_IN)
def delete(request: MemberRequest) -> HttpResponse:
    """Deletes every result of the person at once, from the confirm step on their page."""
    if confirm.confirmed(request):
        if remove_all(request.user):
            messages.success(request, _("All your self-check results are deleted."))
        else:
            messages.info(request, _("There were no results to delete."))
    return redirect("wellness:index")
