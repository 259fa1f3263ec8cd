"""The self-checks a person may take, and how each is scored: exactly by its published
rules, which the tests quote.

* The **Stress Continuum** (U.S. Navy and Marine Corps Combat and Operational Stress
  Control): one question, four zones — ready, reacting, injured, ill.
* **PHQ-9** (depression) and **GAD-7** (anxiety): items scored 0-3, summed; the published
  severity bands. PHQ-9's tenth question (how difficult the problems made life) is asked
  and kept, never scored. Any answer above zero to PHQ-9's item 9 shows crisis lines first.
* **PCL-5** (post-traumatic stress, past month): items scored 0-4, summed 0-80; the four
  DSM-5 symptom clusters (B: items 1-5, C: 6-7, D: 8-14, E: 15-20); a total of 31-33 is
  the provisional cut-point, said as such; the cluster rule (an item rated 2 or more
  counts; at least one B, one C, two D and two E) is shown as provisional too.
* **ProQOL 5** (professional quality of life, past 30 days): thirty items scored 1-5;
  three subscales of ten items each, summed (compassion satisfaction; burnout, with items
  1, 4, 15, 17 and 29 reversed; secondary traumatic stress); each sum's published cut
  scores: 22 or less low, 23-41 moderate, 42 or more high. Its "[helper]" reads
  "telecommunicator", as the authors allow.

The validated instruments' own words (the question every item answers, the items, the
answers) are their published English wording, deliberately not marked for translation:
a validated instrument is valid only in its published wording, and an unofficial
translation is not that instrument. Until Backline bundles a licensor's published
version in another language, a page in that language shows the English items under a
notice saying why, and translates everything Backline wrote around them: titles,
instructions, bands, results (docs/adr/0034). The Stress Continuum's words are
Backline's own, not a validated questionnaire's: they are translated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as Promise

    Text = str | Promise  # a validated instrument's published words are plain strings

PUBLISHED_IN = "en"  # the language of the validated instruments' wording


@dataclass(frozen=True)
class Choice:
    value: int
    label: Text


@dataclass(frozen=True)
class Band:
    """A range of a scale's sum, inclusive at both ends, with what it means."""

    low: int
    high: int
    label: Promise
    meaning: Promise
    concern: bool = False  # the result suggests talking to someone
    short: Promise | None = None  # its name on a chart, where the label is long

    @property
    def chart_label(self) -> Promise:
        return self.short or self.label


@dataclass(frozen=True)
class Scale:
    key: str
    label: Promise
    items: tuple[int, ...]  # 1-based item numbers summed into this scale
    bands: tuple[Band, ...]
    reversed_items: frozenset[int] = frozenset()

    @property
    def low(self) -> int:
        return self.bands[0].low

    @property
    def high(self) -> int:
        return self.bands[-1].high

    def band_of(self, total: int) -> Band:
        for band in self.bands:
            if band.low <= total <= band.high:
                return band
        raise ValueError(f"{total} is outside {self.key}'s range")


@dataclass(frozen=True)
class Cluster:
    """A group of items whose sum is shown beside the total (PCL-5's DSM-5 clusters), and
    how many of them must be rated ``endorsed_at`` or more for the cluster to be met."""

    key: str
    label: Promise
    items: tuple[int, ...]
    needed: int


@dataclass(frozen=True)
class Instrument:
    key: str
    name: Promise
    title: Promise
    what_it_asks: Promise
    prompt: Text  # the question every item answers
    items: tuple[Text, ...]
    choices: tuple[Choice, ...]
    scales: tuple[Scale, ...]
    attribution: Promise
    minutes: int
    crisis_items: frozenset[int] = frozenset()  # any answer above zero: crisis lines first
    clusters: tuple[Cluster, ...] = ()
    endorsed_at: int = 0
    cut_point_note: Promise | None = None
    extra_question: Text | None = None  # asked and kept, not scored
    extra_choices: tuple[Choice, ...] = ()
    for_peers: bool = False  # suggested each quarter to peer supporters
    reverse_base: int = 0  # a reversed item scores reverse_base - answer
    validated: bool = True  # its items and answers are its published wording

    def shown_in_english(self, language: str) -> bool:
        """Whether a page in ``language`` shows this instrument's items in their
        published English wording rather than in its own language."""
        return self.validated and language.split("-")[0] != PUBLISHED_IN

    @property
    def values(self) -> set[int]:
        return {choice.value for choice in self.choices}


@dataclass(frozen=True)
class ScaleResult:
    scale: Scale
    total: int
    band: Band


@dataclass(frozen=True)
class ClusterResult:
    cluster: Cluster
    total: int
    endorsed: int

    @property
    def met(self) -> bool:
        return self.endorsed >= self.cluster.needed


@dataclass(frozen=True)
class Result:
    instrument: Instrument
    answers: tuple[int, ...]
    scales: tuple[ScaleResult, ...]
    clusters: tuple[ClusterResult, ...]
    crisis: bool

    @property
    def concern(self) -> bool:
        return self.crisis or any(found.band.concern for found in self.scales)

    @property
    def clusters_met(self) -> bool:
        return bool(self.clusters) and all(found.met for found in self.clusters)


class InvalidAnswers(ValueError):
    """Answers that do not fit the instrument: too few, too many, or out of range."""


def score(instrument: Instrument, answers: Sequence[int]) -> Result:
    """Scores ``answers`` (one per item, in order) by the instrument's published rules."""
    if len(answers) != len(instrument.items):
        raise InvalidAnswers(f"{instrument.key} has {len(instrument.items)} items")
    if any(answer not in instrument.values for answer in answers):
        raise InvalidAnswers(f"an answer outside {sorted(instrument.values)}")

    def scored(item: int, scale: Scale) -> int:
        answer = answers[item - 1]
        return instrument.reverse_base - answer if item in scale.reversed_items else answer

    scales = []
    for scale in instrument.scales:
        total = sum(scored(item, scale) for item in scale.items)
        scales.append(ScaleResult(scale, total, scale.band_of(total)))
    clusters = tuple(
        ClusterResult(
            cluster,
            sum(answers[item - 1] for item in cluster.items),
            sum(1 for item in cluster.items if answers[item - 1] >= instrument.endorsed_at),
        )
        for cluster in instrument.clusters
    )
    crisis = any(answers[item - 1] > 0 for item in instrument.crisis_items)
    return Result(instrument, tuple(answers), tuple(scales), clusters, crisis)


# --- the Stress Continuum --------------------------------------------------------------

STRESS = Instrument(
    key="stress",
    name=_("Stress Continuum"),
    title=_("Where am I on the stress continuum?"),
    what_it_asks=_("One question, ten seconds: which zone you are in right now."),
    prompt=_("Right now, which of these sounds most like you?"),
    items=(_("Right now I am…"),),
    choices=(
        Choice(0, _("Ready: calm and steady, sleeping well, doing my job and enjoying life")),
        Choice(1, _("Reacting: irritable, worried or sleeping badly, and it passes")),
        Choice(
            2, _("Injured: it does not pass; nightmares, guilt, feeling numb or out of control")
        ),
        Choice(3, _("Ill: it is getting worse and getting in the way of my life and work")),
    ),
    scales=(
        Scale(
            "zone",
            _("Zone"),
            (1,),
            (
                Band(
                    0,
                    0,
                    _("Ready (green)"),
                    _(
                        "You are doing well. Keep what keeps you well: sleep, movement, the "
                        "people you trust."
                    ),
                ),
                Band(
                    1,
                    1,
                    _("Reacting (yellow)"),
                    _(
                        "Stress is showing, as it does after hard calls. Rest, take your breaks, "
                        "and talk with someone you trust; it usually passes."
                    ),
                ),
                Band(
                    2,
                    2,
                    _("Injured (orange)"),
                    _(
                        "This is more than a bad day, and you do not have to carry it alone. A "
                        "peer can listen, and help you find more support."
                    ),
                    concern=True,
                ),
                Band(
                    3,
                    3,
                    _("Ill (red)"),
                    _(
                        "Please reach someone today. A counselor or your EAP can help, and a peer "
                        "can help you connect with them."
                    ),
                    concern=True,
                ),
            ),
        ),
    ),
    attribution=_(
        "The Stress Continuum Model comes from the U.S. Navy and Marine Corps Combat and "
        "Operational Stress Control program and is used by first-responder peer-support "
        "programs. It is a way to notice where you are, not a diagnosis."
    ),
    minutes=0,  # ten seconds
    validated=False,  # Backline's own words for the four zones: translated
)
RED_ZONE = 3  # a red Stress Continuum result shows crisis lines first


# --- PHQ-9 and GAD-7 ---------------------------------------------------------------------

# From here on, each validated instrument's prompt, items and answers are its published
# English wording, as plain strings: not to be translated (see the docstring above).
FREQUENCY = (
    Choice(0, "Not at all"),
    Choice(1, "Several days"),
    Choice(2, "More than half the days"),
    Choice(3, "Nearly every day"),
)
PFIZER = _(
    "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and "
    "colleagues, with an educational grant from Pfizer Inc. No permission required to "
    "reproduce, translate, display or distribute. A screening tool, not a diagnosis."
)
MINIMAL = _("Few or no symptoms. Keep looking after yourself.")
MILD = _("Some symptoms. Notice them; rest and talk with someone you trust.")
MODERATE = _("Enough symptoms to be worth talking about. A peer or a counselor can help.")

PHQ9 = Instrument(
    key="phq9",
    name=_("PHQ-9"),
    title=_("PHQ-9: mood over the last two weeks"),
    what_it_asks=_("Nine questions about your mood over the last two weeks."),
    prompt=(
        "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
    ),
    items=(
        "Little interest or pleasure in doing things",
        "Feeling down, depressed, or hopeless",
        "Trouble falling or staying asleep, or sleeping too much",
        "Feeling tired or having little energy",
        "Poor appetite or overeating",
        (
            "Feeling bad about yourself — or that you are a failure or have let yourself or your "
            "family down"
        ),
        "Trouble concentrating on things, such as reading the newspaper or watching television",
        (
            "Moving or speaking so slowly that other people could have noticed? Or the opposite — "
            "being so fidgety or restless that you have been moving around a lot more than usual"
        ),
        "Thoughts that you would be better off dead or of hurting yourself in some way",
    ),
    choices=FREQUENCY,
    scales=(
        Scale(
            "total",
            _("Total"),
            tuple(range(1, 10)),
            (
                Band(0, 4, _("Minimal"), MINIMAL),
                Band(5, 9, _("Mild"), MILD),
                Band(10, 14, _("Moderate"), MODERATE, concern=True),
                Band(
                    15,
                    19,
                    _("Moderately severe"),
                    _(
                        "Many symptoms. Please talk with a counselor soon; a peer can help you "
                        "connect."
                    ),
                    concern=True,
                ),
                Band(
                    20,
                    27,
                    _("Severe"),
                    _(
                        "Many strong symptoms. Please reach a counselor or your EAP now; a peer "
                        "can help you connect."
                    ),
                    concern=True,
                ),
            ),
        ),
    ),
    attribution=PFIZER,
    minutes=3,
    crisis_items=frozenset({9}),
    extra_question=(
        "If you checked off any problems, how difficult have these problems made it for you to do "
        "your work, take care of things at home, or get along with other people?"
    ),
    extra_choices=(
        Choice(0, "Not difficult at all"),
        Choice(1, "Somewhat difficult"),
        Choice(2, "Very difficult"),
        Choice(3, "Extremely difficult"),
    ),
)

GAD7 = Instrument(
    key="gad7",
    name=_("GAD-7"),
    title=_("GAD-7: worry and anxiety over the last two weeks"),
    what_it_asks=_("Seven questions about worry and anxiety over the last two weeks."),
    prompt="Over the last 2 weeks, how often have you been bothered by the following problems?",
    items=(
        "Feeling nervous, anxious, or on edge",
        "Not being able to stop or control worrying",
        "Worrying too much about different things",
        "Trouble relaxing",
        "Being so restless that it is hard to sit still",
        "Becoming easily annoyed or irritable",
        "Feeling afraid, as if something awful might happen",
    ),
    choices=FREQUENCY,
    scales=(
        Scale(
            "total",
            _("Total"),
            tuple(range(1, 8)),
            (
                Band(0, 4, _("Minimal"), MINIMAL),
                Band(5, 9, _("Mild"), MILD),
                Band(10, 14, _("Moderate"), MODERATE, concern=True),
                Band(
                    15,
                    21,
                    _("Severe"),
                    _(
                        "Many strong symptoms. Please talk with a counselor soon; a peer can help "
                        "you connect."
                    ),
                    concern=True,
                ),
            ),
        ),
    ),
    attribution=PFIZER,
    minutes=2,
)


# --- PCL-5 -------------------------------------------------------------------------------

PCL5 = Instrument(
    key="pcl5",
    name=_("PCL-5"),
    title=_("PCL-5: reactions to a stressful experience, past month"),
    what_it_asks=_(
        "Twenty questions about reactions to a very stressful experience, over the past month."
    ),
    prompt="In the past month, how much were you bothered by:",
    items=(
        "Repeated, disturbing, and unwanted memories of the stressful experience?",
        "Repeated, disturbing dreams of the stressful experience?",
        (
            "Suddenly feeling or acting as if the stressful experience were actually happening "
            "again (as if you were actually back there reliving it)?"
        ),
        "Feeling very upset when something reminded you of the stressful experience?",
        (
            "Having strong physical reactions when something reminded you of the stressful "
            "experience (for example, heart pounding, trouble breathing, sweating)?"
        ),
        "Avoiding memories, thoughts, or feelings related to the stressful experience?",
        (
            "Avoiding external reminders of the stressful experience (for example, people, "
            "places, conversations, activities, objects, or situations)?"
        ),
        "Trouble remembering important parts of the stressful experience?",
        (
            "Having strong negative beliefs about yourself, other people, or the world (for "
            "example, having thoughts such as: I am bad, there is something seriously wrong with "
            "me, no one can be trusted, the world is completely dangerous)?"
        ),
        (
            "Blaming yourself or someone else for the stressful experience or what happened after "
            "it?"
        ),
        "Having strong negative feelings such as fear, horror, anger, guilt, or shame?",
        "Loss of interest in activities that you used to enjoy?",
        "Feeling distant or cut off from other people?",
        (
            "Trouble experiencing positive feelings (for example, being unable to feel happiness "
            "or have loving feelings for people close to you)?"
        ),
        "Irritable behavior, angry outbursts, or acting aggressively?",
        "Taking too many risks or doing things that could cause you harm?",
        "Being “superalert” or watchful or on guard?",
        "Feeling jumpy or easily startled?",
        "Having difficulty concentrating?",
        "Trouble falling or staying asleep?",
    ),
    choices=(
        Choice(0, "Not at all"),
        Choice(1, "A little bit"),
        Choice(2, "Moderately"),
        Choice(3, "Quite a bit"),
        Choice(4, "Extremely"),
    ),
    scales=(
        Scale(
            "total",
            _("Total"),
            tuple(range(1, 21)),
            (
                Band(
                    0,
                    30,
                    _("Below the provisional cut-point"),
                    _(
                        "Your reactions are below the range that suggests PTSD. Hard calls still "
                        "leave marks; talking helps."
                    ),
                    short=_("Below 31"),
                ),
                Band(
                    31,
                    33,
                    _("Within the provisional cut-point (31–33)"),
                    _(
                        "Your reactions are in the range that may suggest PTSD. Please talk with "
                        "a counselor who knows first responders; a peer can help you connect."
                    ),
                    concern=True,
                    short=_("31–33"),
                ),
                Band(
                    34,
                    80,
                    _("Above the provisional cut-point"),
                    _(
                        "Your reactions suggest probable PTSD. This is treatable: please reach a "
                        "counselor who knows first responders, or your EAP; a peer can help you "
                        "connect."
                    ),
                    concern=True,
                    short=_("34 and above"),
                ),
            ),
        ),
    ),
    clusters=(
        Cluster("B", _("Intrusion (B, items 1–5)"), tuple(range(1, 6)), 1),
        Cluster("C", _("Avoidance (C, items 6–7)"), (6, 7), 1),
        Cluster(
            "D",
            _("Negative changes in thinking and mood (D, items 8–14)"),
            tuple(range(8, 15)),
            2,
        ),
        Cluster(
            "E",
            _("Changes in arousal and reactivity (E, items 15–20)"),
            tuple(range(15, 21)),
            2,
        ),
    ),
    endorsed_at=2,
    cut_point_note=_(
        "A total of 31–33 is the provisional cut-point for probable PTSD, and the symptom "
        "clusters follow DSM-5's provisional rule (an item rated “Moderately” or more "
        "counts; at least one intrusion, one avoidance, two mood and two arousal items). "
        "Only a clinician can diagnose."
    ),
    attribution=_(
        "PCL-5: Weathers, F.W., Litz, B.T., Keane, T.M., Palmieri, P.A., Marx, B.P., & "
        "Schnurr, P.P. (2013). The PTSD Checklist for DSM-5. National Center for PTSD. "
        "A work of the U.S. government, in the public domain."
    ),
    minutes=5,
)


# --- ProQOL 5 ----------------------------------------------------------------------------

PROQOL_LOW = _("Low")
PROQOL_MODERATE = _("Moderate")
PROQOL_HIGH = _("High")


def _proqol_bands(
    low: Promise, moderate: Promise, high: Promise, concern_when: str
) -> tuple[Band, ...]:
    return (
        Band(10, 22, PROQOL_LOW, low, concern=concern_when == "low"),
        Band(23, 41, PROQOL_MODERATE, moderate),
        Band(42, 50, PROQOL_HIGH, high, concern=concern_when == "high"),
    )


PROQOL5 = Instrument(
    key="proqol5",
    name=_("ProQOL 5"),
    title=_("ProQOL 5: your professional quality of life, last 30 days"),
    what_it_asks=_(
        "Thirty questions about the good and the hard sides of helping, over the last 30 days."
    ),
    prompt=(
        "Consider each statement about you and your current work situation: how frequently did "
        "you experience it in the last 30 days?"
    ),
    items=(
        "I am happy.",
        "I am preoccupied with more than one person I help.",
        "I get satisfaction from being able to help people.",
        "I feel connected to others.",
        "I jump or am startled by unexpected sounds.",
        "I feel invigorated after working with those I help.",
        "I find it difficult to separate my personal life from my life as a telecommunicator.",
        (
            "I am not as productive at work because I am losing sleep over traumatic experiences "
            "of a person I help."
        ),
        "I think that I might have been affected by the traumatic stress of those I help.",
        "I feel trapped by my job as a telecommunicator.",
        "Because of my helping, I have felt “on edge” about various things.",
        "I like my work as a telecommunicator.",
        "I feel depressed because of the traumatic experiences of the people I help.",
        "I feel as though I am experiencing the trauma of someone I have helped.",
        "I have beliefs that sustain me.",
        "I am pleased with how I am able to keep up with helping techniques and protocols.",
        "I am the person I always wanted to be.",
        "My work makes me feel satisfied.",
        "I feel worn out because of my work as a telecommunicator.",
        "I have happy thoughts and feelings about those I help and how I could help them.",
        "I feel overwhelmed because my work load seems endless.",
        "I believe I can make a difference through my work.",
        (
            "I avoid certain activities or situations because they remind me of frightening "
            "experiences of the people I help."
        ),
        "I am proud of what I can do to help.",
        "As a result of my helping, I have intrusive, frightening thoughts.",
        "I feel “bogged down” by the system.",
        "I have thoughts that I am a “success” as a telecommunicator.",
        "I can't recall important parts of my work with trauma victims.",
        "I am a very caring person.",
        "I am happy that I chose to do this work.",
    ),
    choices=(
        Choice(1, "Never"),
        Choice(2, "Rarely"),
        Choice(3, "Sometimes"),
        Choice(4, "Often"),
        Choice(5, "Very often"),
    ),
    scales=(
        Scale(
            "compassion_satisfaction",
            _("Compassion satisfaction"),
            (3, 6, 12, 16, 18, 20, 22, 24, 27, 30),
            _proqol_bands(
                _(
                    "Helping brings you little pleasure right now. That is worth talking about "
                    "with a peer."
                ),
                _("Helping brings you some pleasure, as for most telecommunicators."),
                _("You get a lot of satisfaction from helping."),
                concern_when="low",
            ),
        ),
        Scale(
            "burnout",
            _("Burnout"),
            (1, 4, 8, 10, 15, 17, 19, 21, 26, 29),
            _proqol_bands(
                _("Little sign of burnout."),
                _("Some signs of burnout, as for many telecommunicators. Rest and support help."),
                _("Many signs of burnout. Please talk with a peer or a counselor; you matter too."),
                concern_when="high",
            ),
            reversed_items=frozenset({1, 4, 15, 17, 29}),
        ),
        Scale(
            "secondary_traumatic_stress",
            _("Secondary traumatic stress"),
            (2, 5, 7, 9, 11, 13, 14, 23, 25, 28),
            _proqol_bands(
                _("Little sign of secondary traumatic stress."),
                _("Some signs of secondary traumatic stress, as for many who hear hard calls."),
                _(
                    "Strong signs of secondary traumatic stress. Please talk with a counselor who "
                    "knows first responders; a peer can help you connect."
                ),
                concern_when="high",
            ),
        ),
    ),
    attribution=_(
        "© B. Hudnall Stamm, 2009–2012. Professional Quality of Life: Compassion "
        "Satisfaction and Fatigue Version 5 (ProQOL). www.ProQOL.org. This test may be "
        "freely copied as long as (a) author is credited, (b) no changes are made, and "
        "(c) it is not sold. Here “helper” reads “telecommunicator”, as its authors allow."
    ),
    minutes=6,
    for_peers=True,
    reverse_base=6,  # 1 ↔ 5, 2 ↔ 4, 3 stays
)

INSTRUMENTS: dict[str, Instrument] = {
    instrument.key: instrument for instrument in (STRESS, PHQ9, GAD7, PCL5, PROQOL5)
}
