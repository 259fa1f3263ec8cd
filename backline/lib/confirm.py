"""The confirm step of a destructive action.

The page shows the action behind one more tap (``web/confirm.html``, no JavaScript
needed), and the button that confirms sends ``confirm=yes``. A POST without it — a
stale form, a stray tap on an old page, a request made by hand — changes nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext as _

FIELD = "confirm"
YES = "yes"


def confirmed(request: HttpRequest) -> bool:
    """Whether the POST came from the confirm step; if not, say that nothing changed."""
    if request.POST.get(FIELD) == YES:
        return True
    messages.info(request, _("Nothing was changed. That needs one more tap, to confirm."))
    return False
