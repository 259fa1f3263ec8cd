"""``waited``: how long since something happened, in words a worried person reads well
(for the inbox, and for the pages of a request)."""

from datetime import datetime, timedelta

from django import template
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from backline.lib import clock

register = template.Library()


@register.filter
def waited(since: datetime | None) -> str:
    """ "less than a minute" rather than Django's "0 minutes"; otherwise ``timesince``."""
    if since is None:
        return ""
    now = clock.now()
    if now - since < timedelta(minutes=1):
        return _("less than a minute")
    return timesince(since, now)
