"""What a contact record keeps of the directory entry a peer referred the colleague to:
its category (``Referral``), from the entry's kind, and never the entry itself."""

from __future__ import annotations

from django.utils.translation import gettext as _

from backline.accounts.models import Region
from backline.directory.models import Kind, Resource, Status
from backline.records.models import Referral

CATEGORY_OF_KIND = {
    Kind.EAP: Referral.EAP,
    Kind.CLINICIAN: Referral.CLINICIAN,
    Kind.CHAPLAIN: Referral.CHAPLAIN,
    Kind.CRISIS_LINE: Referral.CRISIS_LINE,
    Kind.SUPPORT_GROUP: Referral.SUPPORT_GROUP,
    Kind.APP: Referral.OTHER,
    Kind.READING: Referral.OTHER,
    Kind.OTHER: Referral.OTHER,
}


def category_of(kind: str) -> Referral:
    """The referral category a resource of ``kind`` counts as."""
    return CATEGORY_OF_KIND[Kind(kind)]


def directory_of(region: Region) -> dict[str, Resource]:
    """The team's active entries a peer may pick, by their id as the form sends it."""
    found = Resource.objects.filter(region=region, status=Status.ACTIVE).only("name", "kind")
    return {str(r.pk): r for r in found.order_by("name", "pk")}


def grouped(entries: dict[str, Resource]) -> list[tuple[str, object]]:
    """The form's choices: nothing picked, then the entries grouped by kind."""
    groups = [
        (str(label), [(pk, r.name) for pk, r in entries.items() if r.kind == kind])
        for kind, label in Kind.choices
    ]
    return [("", _("None picked")), *[(label, rows) for label, rows in groups if rows]]
