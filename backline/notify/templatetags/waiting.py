"""``waited``: when something happened, in words a worried person reads well ("just
now", "5 minutes ago"), for the inbox and for the pages of a request."""

from datetime import datetime, timedelta

from django import template
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
