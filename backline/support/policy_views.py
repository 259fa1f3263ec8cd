"""Coordinators' pages for escalation policies: ordered steps, each with targets and a
wait, a repeat count, a minutes-to-start timeout, the slower clock of requests that can
wait, and the team's (default) policy.

Policies are looked up among the coordinator's regions, so another region's get 404.
A request snapshots its policy when it starts: editing here never changes a request
already under way. Exactly one policy per region is the default (a database
constraint); changing it locks the region so two coordinators cannot race.

The coverage page lists, region by region, what would leave a request with nobody to
page (``support.coverage``).
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backline.accounts.access import COORDINATOR, MemberRequest
from backline.accounts.models import Region
from backline.accounts.roles import Role
from backline.lib import clock, editing, ordering
from backline.privacy.access import access
from backline.support import coverage
from backline.support.models import (
    HOURS_DELAY_FACTOR,
    WEEK_DELAY_FACTOR,
    EscalationPolicy,
    EscalationStep,
    StepTarget,
)
from backline.support.policy_forms import PolicyForm, StepForm, TargetForm


def _managed(request: MemberRequest) -> QuerySet[EscalationPolicy]:
    return EscalationPolicy.objects.filter(
        region__in=request.user.regions_with(Role.COORDINATOR)
    ).select_related("region")


def _policy(request: MemberRequest, pk: int, lock: bool = False) -> EscalationPolicy:
    policies = _managed(request)
    if lock:
        policies = policies.select_for_update(of=("self",))
    return get_object_or_404(policies, pk=pk)


def _step(policy: EscalationPolicy, step_pk: int) -> EscalationStep:
    return get_object_or_404(EscalationStep, pk=step_pk, policy=policy)


@access(COORDINATOR)
def policy_list(request: MemberRequest) -> HttpResponse:
    policies = (
        _managed(request).annotate(step_count=Count("steps")).order_by("region__name", "name")
    )
    with_default = {p.region_id for p in policies if p.is_default}
    without_default = [
        r for r in request.user.regions_with(Role.COORDINATOR) if r.pk not in with_default
    ]
    return render(
        request,
        "support/policies/list.html",
        {"policies": policies, "without_default": without_default},
    )


@access(COORDINATOR)
def policy_new(request: MemberRequest) -> HttpResponse:
    return editing.add(
        request,
        request.user.regions_with(Role.COORDINATOR),
        PolicyForm,
        {
            "repeat": 1,
            "start_timeout_minutes": 30,
            "hours_delay_factor": HOURS_DELAY_FACTOR,
            "week_delay_factor": WEEK_DELAY_FACTOR,
        },
        _("%(name)s was added. Now add its steps."),
        "policies:detail",
        "support/policies/form.html",
    )


def _detail(
    request: MemberRequest,
    policy: EscalationPolicy,
    form: PolicyForm | None = None,
    new_step_form: StepForm | None = None,
    bound: dict[str, Any] | None = None,
) -> HttpResponse:
    """The policy page; ``bound`` holds a step's or target's form that failed, by prefix."""
    bound = bound or {}
    steps = []
    for step in policy.steps.prefetch_related(
        "targets__user", "targets__rotation", "targets__schedule"
    ):
        step_prefix, target_prefix = f"step-{step.pk}", f"target-{step.pk}"
        steps.append(
            {
                "step": step,
                "number": step.order + 1,
                "hours_wait": step.delay_minutes * policy.hours_delay_factor,
                "week_wait": step.delay_minutes * policy.week_delay_factor,
                "targets": list(step.targets.all()),
                "form": bound.get(step_prefix) or StepForm(instance=step, prefix=step_prefix),
                "target_form": bound.get(target_prefix)
                or TargetForm(step=step, prefix=target_prefix),
            }
        )
    return render(
        request,
        "support/policies/detail.html",
        {
            "policy": policy,
            "form": form or PolicyForm(instance=policy),
            "steps": steps,
            "new_step_form": new_step_form
            or StepForm(prefix="new-step", initial={"delay_minutes": 5}),
        },
    )


@access(COORDINATOR)
def policy_detail(request: MemberRequest, pk: int) -> HttpResponse:
    return editing.edit(request, _policy(request, pk), PolicyForm, _detail, "policies:detail")


@require_POST
@access(COORDINATOR)
def policy_delete(request: MemberRequest, pk: int) -> HttpResponse:
    policy = _policy(request, pk)
    refusal = None
    if policy.is_default:
        refusal = _("%(name)s is the team's policy. Make another policy the team's first.") % {
            "name": policy
        }
    return editing.delete_unless(request, policy, refusal, "policies:detail", "policies:list")


def set_default(policy: EscalationPolicy, make_default: bool) -> None:
    """Make ``policy`` its region's policy (the previous one stops being it), or stop it
    being the region's policy. The region row is locked for the change, so concurrent
    changes follow each other and the one-default constraint always holds."""
    with transaction.atomic():
        Region.objects.select_for_update().filter(pk=policy.region_id).first()
        if make_default:
            EscalationPolicy.objects.filter(region_id=policy.region_id, is_default=True).exclude(
                pk=policy.pk
            ).update(is_default=False)
        EscalationPolicy.objects.filter(pk=policy.pk).update(is_default=make_default)
    policy.is_default = make_default


@require_POST
@access(COORDINATOR)
def policy_default(request: MemberRequest, pk: int) -> HttpResponse:
    policy = _policy(request, pk)
    make_default = request.POST.get("default") == "yes"
    try:
        set_default(policy, make_default)
    except IntegrityError:
        messages.error(request, _("Another change was made at the same moment. Please try again."))
        return redirect("policies:detail", pk=policy.pk)
    if make_default:
        messages.success(
            request, _("%(name)s is now the team's policy for new requests.") % {"name": policy}
        )
    else:
        messages.warning(
            request,
            _(
                "%(name)s is no longer the team's policy. Until another one is chosen, new "
                "requests page nobody."
            )
            % {"name": policy},
        )
    return redirect("policies:detail", pk=policy.pk)


@require_POST
@access(COORDINATOR)
def step_add(request: MemberRequest, pk: int) -> HttpResponse:
    policy = _policy(request, pk)
    form = StepForm(request.POST, prefix="new-step")
    if not form.is_valid():
        return _detail(request, policy, new_step_form=form)
    with transaction.atomic():
        _policy(request, pk, lock=True)  # one change to the order at a time
        step = form.save(commit=False)
        step.policy = policy
        step.order = ordering.next_position(policy.steps.all(), "order")
        step.save()
    messages.success(request, _("Step %(number)s was added.") % {"number": step.order + 1})
    return redirect("policies:detail", pk=policy.pk)


def _save_in_step(
    request: MemberRequest, policy: EscalationPolicy, form: StepForm | TargetForm, done: str
) -> HttpResponse:
    """Save a step's own form (or its target form), say ``done`` and go back to the policy;
    or show the policy with that form's errors in its place."""
    if not form.is_valid():
        return _detail(request, policy, bound={cast(str, form.prefix): form})
    form.save()
    messages.success(request, done)
    return redirect("policies:detail", pk=policy.pk)


@require_POST
@access(COORDINATOR)
def step_edit(request: MemberRequest, pk: int, step_pk: int) -> HttpResponse:
    policy = _policy(request, pk)
    step = _step(policy, step_pk)
    form = StepForm(request.POST, instance=step, prefix=f"step-{step.pk}")
    done = _("Step %(number)s was saved.") % {"number": step.order + 1}
    return _save_in_step(request, policy, form, done)


@require_POST
@access(COORDINATOR)
def step_remove(request: MemberRequest, pk: int, step_pk: int) -> HttpResponse:
    with transaction.atomic():
        policy = _policy(request, pk, lock=True)
        step = _step(policy, step_pk)
        step.delete()
        ordering.close_up(policy.steps.all(), "order", step.order)
    messages.success(request, _("Step %(number)s was removed.") % {"number": step.order + 1})
    return redirect("policies:detail", pk=policy.pk)


@require_POST
@access(COORDINATOR)
def step_move(request: MemberRequest, pk: int, step_pk: int) -> HttpResponse:
    with transaction.atomic():
        policy = _policy(request, pk, lock=True)
        step = _step(policy, step_pk)
        ordering.swap(policy.steps.all(), "order", step, request.POST.get("direction"))
    return redirect("policies:detail", pk=policy.pk)


@require_POST
@access(COORDINATOR)
def target_add(request: MemberRequest, pk: int, step_pk: int) -> HttpResponse:
    policy = _policy(request, pk)
    step = _step(policy, step_pk)
    form = TargetForm(request.POST, step=step, prefix=f"target-{step.pk}")
    done = _("Step %(number)s pages them now.") % {"number": step.order + 1}
    return _save_in_step(request, policy, form, done)


@require_POST
@access(COORDINATOR)
def target_remove(request: MemberRequest, pk: int, step_pk: int, target_pk: int) -> HttpResponse:
    policy = _policy(request, pk)
    step = _step(policy, step_pk)
    get_object_or_404(StepTarget, pk=target_pk, step=step).delete()
    messages.success(request, _("The target was removed."))
    return redirect("policies:detail", pk=policy.pk)


@access(COORDINATOR)
def coverage_page(request: MemberRequest) -> HttpResponse:
    now = clock.now()
    regions = [
        (region, coverage.region_warnings(region, now))
        for region in request.user.regions_with(Role.COORDINATOR)
    ]
    return render(
        request,
        "support/coverage.html",
        {
            "zone": request.user.time_zone.key,
            "regions": regions,
            "horizon_days": coverage.HORIZON.days,
        },
    )
