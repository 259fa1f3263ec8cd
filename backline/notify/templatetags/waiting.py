"""``waited``: when something happened, in words a worried person reads well ("just
now", "5 minutes ago"), for the inbox and for the pages of a request; ``by_when``: a
moment to come, as its time today or with its day otherwise."""

from datetime import datetime, timedelta

from django import template
from django.utils import formats, timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from backline.lib import clock

register = template.Library()


@register.filter
def waited(since: datetime | None) -> str:
    """ "just now" rather than Django's "0 minutes ago"; otherwise "… ago"."""
    if since is None:
        return ""
    now = clock.now()
    if now - since < timedelta(minutes=1):
        return _("just now")
    return _("%(time)s ago") % {"time": timesince(since, now)}


@register.filter
def by_when(moment: datetime | None) -> str:
    """ "08:00" today, "Wed 3 Dec, 08:00" on another day (in the current time zone): a
    promise of two days must not read as a time today."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    today = timezone.localtime(clock.now()).date()
    shown = "TIME_FORMAT" if local.date() == today else "SHORT_DATETIME_FORMAT"
    return formats.date_format(local, shown)
