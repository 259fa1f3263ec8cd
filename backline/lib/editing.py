"""What the coordinators' editing pages do alike (rotations, schedules, escalation
policies): add a new object to one of their regions, save an object's settings form, and
delete an object (from its confirm step) unless something still needs it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.db.models import Model, ProtectedError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from backline.lib import confirm

M = TypeVar("M", bound=Model)


def chosen_region(request: HttpRequest, regions: Sequence[M]) -> M:
    """The region a new object goes to: the one the form (or ``?region=``) names among
    ``regions``, else the first."""
    chosen = request.POST.get("region") or request.GET.get("region")
    return next((r for r in regions if str(r.pk) == chosen), regions[0])


def add(
    request: HttpRequest,
    regions: Sequence[Model],
    form_class: type[forms.ModelForm[Any]],
    initial: dict[str, Any],
    added: str,
    detail: str,
    template: str,
) -> HttpResponse:
    """The page that adds an object to the region ``chosen_region`` picks among
    ``regions``: a valid POST saves it, says ``added`` (of its ``name``) and goes to its
    page, the URL named ``detail``; otherwise ``template`` shows the form, its errors
    beside what was typed, with the regions to choose from."""
    region = chosen_region(request, regions)
    new = form_class._meta.model(region=region)
    form = form_class(request.POST or None, instance=new, initial=initial)
    if request.method == "POST" and form.is_valid():
        made = form.save()
        messages.success(request, added % {"name": made})
        return redirect(detail, pk=made.pk)
    return render(request, template, {"form": form, "regions": regions, "region": region})


def edit(
    request: HttpRequest,
    shown: Model,
    form_class: type[forms.ModelForm[Any]],
    page: Callable[..., HttpResponse],
    detail: str,
) -> HttpResponse:
    """An object's page with its settings form: ``page(request, shown)`` shows it; a valid
    POST saves, says so and goes back to the URL named ``detail``; an invalid one shows
    ``page(request, shown, form=form)``, the errors beside the saved values."""
    if request.method != "POST":
        return page(request, shown)
    form = form_class(request.POST, instance=shown)
    if form.is_valid():
        form.save()
        messages.success(request, _("%(name)s was saved.") % {"name": shown})
        return redirect(detail, pk=shown.pk)
    shown.refresh_from_db()  # the form changed the instance; the page shows what is saved
    return page(request, shown, form=form)


def delete_unless(
    request: HttpRequest, shown: Model, refusal: str | None, detail: str, listing: str
) -> HttpResponse:
    """Delete ``shown`` and go to the list named ``listing``; but when the POST did not
    come from the confirm step, or there is a ``refusal`` (why it cannot go), say so and
    go back to its page named ``detail``."""
    if not confirm.confirmed(request):
        return redirect(detail, pk=shown.pk)
    if refusal:
        messages.error(request, refusal)
        return redirect(detail, pk=shown.pk)
    shown.delete()
    messages.success(request, _("%(name)s was deleted.") % {"name": shown})
    return redirect(listing)


def delete_unless_used(
    request: HttpRequest,
    shown: Model,
    refusal: str,
    detail: str,
    listing: str,
    used: bool = False,
) -> HttpResponse:
    """As ``delete_unless``, but ``refusal`` is said when ``shown`` is ``used`` or when a
    foreign key with ``on_delete=PROTECT`` still points to it (``ProtectedError``, raised
    before anything is deleted). So a model in a higher app keeps what it needs without
    the app that owns ``shown`` importing it."""
    if not used:
        try:
            return delete_unless(request, shown, None, detail, listing)
        except ProtectedError:
            pass
    return delete_unless(request, shown, refusal, detail, listing)
