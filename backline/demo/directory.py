"""The demo team's resource directory: the national 988 line and the Crisis Text Line as
they are, the agencies' EAP, a first-responder peer line and a chaplaincy, clinicians who
know dispatch work (one Spanish-speaking, with telehealth and EMDR), a support group, an
app and a book. The clinicians and local services are invented; their numbers are in
the 555-01xx range, kept for fiction. One entry was last verified over a year ago, so
the flag shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time, timedelta

from backline.accounts.models import Region
from backline.directory.models import (
    Cost,
    Kind,
    Language,
    Organization,
    Phone,
    PhoneType,
    Resource,
    ResourceSpecialty,
    Schedule,
    Specialty,
)
from backline.lib import clock

ZONE = "America/Chicago"
VERIFIER = "coordinator@example.org"
WEEKDAYS, MON_THU, FRIDAY, TUESDAY = 0b0011111, 0b0001111, 0b0010000, 0b0000010
ENGLISH, SPANISH = ("en", "English"), ("es", "Spanish")


@dataclass(frozen=True)
class Entry:
    organization: str
    name: str
    kind: Kind
    about: str
    phones: tuple[tuple[str, PhoneType, str], ...]
    cost: Cost = Cost.FREE
    always_open: bool = False
    hours: tuple[tuple[int, time, time], ...] = ()
    languages: tuple[tuple[str, str], ...] = (ENGLISH,)
    specialties: tuple[Specialty, ...] = ()
    extra: dict[str, object] = field(default_factory=dict)
    verified_days_ago: int = 30


ENTRIES = [
    Entry(
        "988 Suicide & Crisis Lifeline",
        "988 Suicide & Crisis Lifeline",
        Kind.CRISIS_LINE,
        "Free, confidential support for anyone in distress, at any hour. Press 1 for the "
        "Veterans Crisis Line.",
        (("988", PhoneType.VOICE, ""), ("988", PhoneType.TEXT, "")),
        always_open=True,
        languages=(ENGLISH, SPANISH),
        extra={"url": "https://988lifeline.org/", "telehealth": True},
    ),
    Entry(
        "Crisis Text Line",
        "Crisis Text Line",
        Kind.CRISIS_LINE,
        "Text HOME to 741741 to reach a trained crisis counselor, at any hour.",
        (("741741", PhoneType.TEXT, "text HOME"),),
        always_open=True,
        extra={"url": "https://www.crisistextline.org/", "telehealth": True},
    ),
    Entry(
        "Cedar Valley Employee Assistance",
        "Cedar County employee assistance program (EAP)",
        Kind.EAP,
        "Six free confidential counseling sessions a year for every 911 employee and their "
        "household, by phone, video or in person. Ask for a counselor who has worked with "
        "public safety.",
        (("+1 555 010 0300", PhoneType.VOICE, "answered at any hour"),),
        always_open=True,
        languages=(ENGLISH, SPANISH),
        extra={"telehealth": True, "first_responder": True, "email": "eap@cedarvalley.example"},
    ),
    Entry(
        "Cedar Valley First Responder Support",
        "First Responder Peer Line",
        Kind.CRISIS_LINE,
        "Retired dispatchers, firefighters and officers who answer for colleagues in the "
        "evenings and at night: no record, no report to the agency.",
        (("555-0110", PhoneType.VOICE, ""), ("555-0111", PhoneType.TEXT, "")),
        hours=((0b1111111, time(18), time(6)),),
        extra={"first_responder": True},
    ),
    Entry(
        "Cedar Valley Public Safety Chaplaincy",
        "Public safety chaplains",
        Kind.CHAPLAIN,
        "Chaplains of several faiths, and of none, who come to the center after a hard "
        "call, or meet one-on-one.",
        (("555-0112", PhoneType.VOICE, "the on-call chaplain"),),
        always_open=True,
        specialties=(Specialty.GRIEF, Specialty.CRITICAL_INCIDENT),
        extra={"first_responder": True},
    ),
    Entry(
        "Ramírez Counseling",
        "Dr. Lucía Ramírez, LPC",
        Kind.CLINICIAN,
        "Trauma therapy (EMDR) for telecommunicators and their families, in Spanish or "
        "English, by video or in her office.",
        (("555-0120", PhoneType.VOICE, "leave a message; she calls back the same day"),),
        cost=Cost.INSURANCE,
        hours=((MON_THU, time(9), time(18)), (FRIDAY, time(9), time(13))),
        languages=(SPANISH, ENGLISH),
        specialties=(Specialty.EMDR, Specialty.TRAUMA, Specialty.CRITICAL_INCIDENT),
        extra={
            "telehealth": True,
            "first_responder": True,
            "insurance": "Wellmark, Medica, the county plan",
            "fees_description": "Sliding scale from $40 without insurance",
            "address": "212 Second Avenue SE, Cedar Rapids",
            "contact_name": "Lucía Ramírez",
            "contact_title": "Licensed professional counselor",
            "email": "lucia@ramirez-counseling.example",
        },
    ),
    Entry(
        "Holloway Psychology",
        "Dr. Marcus Holloway, PsyD",
        Kind.CLINICIAN,
        "Shift-work sleep, trauma and drinking that has crept up, for people who work "
        "nights. In person.",
        (("555-0121", PhoneType.VOICE, ""),),
        cost=Cost.SLIDING,
        hours=((0b0111110, time(10), time(19)),),
        specialties=(Specialty.SLEEP, Specialty.TRAUMA, Specialty.SUBSTANCE_USE),
        extra={"first_responder": True, "address": "88 Linn Street, Marion"},
        verified_days_ago=430,
    ),
    Entry(
        "Whitfield Family Therapy",
        "Jenna Whitfield, LMFT",
        Kind.CLINICIAN,
        "Couples and family therapy around shift work and hard calls, by video in the evenings.",
        (("555-0122", PhoneType.VOICE, ""),),
        cost=Cost.INSURANCE,
        hours=((MON_THU, time(16), time(21)),),
        specialties=(Specialty.COUPLES, Specialty.FAMILY),
        extra={"telehealth": True, "insurance": "Wellmark, Aetna"},
    ),
    Entry(
        "Cedar Valley First Responder Support",
        "Dispatchers' support group",
        Kind.SUPPORT_GROUP,
        "Telecommunicators meeting every Tuesday evening, led by a peer and a clinician. "
        "Come as you are; nothing said leaves the room.",
        (("555-0113", PhoneType.VOICE, "to ask before the first time"),),
        hours=((TUESDAY, time(19), time(20, 30)),),
        extra={"first_responder": True, "address": "Cedar County 911, training room"},
    ),
    Entry(
        "U.S. Department of Veterans Affairs",
        "PTSD Coach (app)",
        Kind.APP,
        "A free app for managing stress after trauma: self-checks, tools for the moment, "
        "and where to get help. No account needed.",
        (),
        always_open=True,
        extra={"url": "https://mobile.va.gov/app/ptsd-coach"},
    ),
    Entry(
        "Berrett-Koehler Publishers",
        "Trauma Stewardship, by Laura van Dernoot Lipsky",
        Kind.READING,
        "A book for people who care for others in crisis: how the work gets into us, and "
        "how to keep going.",
        (),
        always_open=True,
        cost=Cost.SELF_PAY,
        specialties=(Specialty.TRAUMA,),
    ),
]


def load(region: Region) -> None:
    today = clock.now().date()
    organizations: dict[str, Organization] = {}
    for e in ENTRIES:
        if e.organization not in organizations:
            organizations[e.organization] = Organization.objects.create(
                region=region, name=e.organization, description=e.organization
            )
        resource = Resource.objects.create(
            region=region,
            organization=organizations[e.organization],
            name=e.name,
            kind=e.kind,
            description=e.about,
            cost=e.cost,
            always_open=e.always_open,
            time_zone=ZONE,
            verified_on=today - timedelta(days=e.verified_days_ago),
            verified_by=VERIFIER,
            **e.extra,
        )
        Phone.objects.bulk_create(
            Phone(resource=resource, number=n, type=t, description=d) for n, t, d in e.phones
        )
        Language.objects.bulk_create(
            Language(resource=resource, code=c, name=name) for c, name in e.languages
        )
        Schedule.objects.bulk_create(
            Schedule(resource=resource, days=d, opens_at=o, closes_at=c) for d, o, c in e.hours
        )
        ResourceSpecialty.objects.bulk_create(
            ResourceSpecialty(resource=resource, specialty=s) for s in e.specialties
        )
