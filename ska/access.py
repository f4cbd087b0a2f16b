"""Who may see and do what: the one place every view asks.

Permissions are `rules` predicates over a person's *scope*: their role assignments, read
once per request and kept on the user object, so that checking a thousand rows costs no
extra queries. Each object permission has a matching queryset function (``visible_units``
...) built from the same scope; a test holds the two to agreement.

Views use ``get_visible_or_404`` for objects (a person never learns that something they
may not see exists) and ``require_perm`` for whole pages a role may not use (403).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

import rules
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from .models import (
    Activity,
    ActivityFollowUp,
    Analysis,
    CheckIn,
    DevelopmentArea,
    Goal,
    IndependentProvider,
    Indicator,
    Role,
    RoleAssignment,
    Unit,
    ValidityReview,
)


@dataclass(frozen=True)
class Scope:
    """What a person's role assignments reach."""

    roles: frozenset[str]
    rector_units: frozenset[int]
    contributor_units: frozenset[int]
    led_administrations: frozenset[int]
    led_municipalities: frozenset[int]
    committees: frozenset[int]
    providers: frozenset[int]
    staff_administrations: frozenset[int] = frozenset()  # administrations of the units they work at
    related_committees: frozenset[int] = frozenset()  # committees above the administrations they lead or work in
    secretary_committees: frozenset[int] = frozenset()  # the committees they are secretary of (a part of ``committees``)
    superuser: bool = False
    # Förvaltningsledning limited to some school forms (a verksamhetschef förskola): in these
    # administrations they lead only ``limited_led_units``, and change only the administration's
    # goals limited to their forms (``leadership_forms``: administration id → form ids).
    limited_administrations: frozenset[int] = frozenset()
    limited_led_units: frozenset[int] = frozenset()
    leadership_forms: tuple[tuple[int, frozenset[int]], ...] = ()

    @property
    def unit_staff_units(self) -> frozenset[int]:
        return self.rector_units | self.contributor_units

    @property
    def fully_led_administrations(self) -> frozenset[int]:
        """The administrations whose every unit the person leads."""
        return self.led_administrations - self.limited_administrations

    def leads_unit(self, unit_id, administration_id) -> bool:
        """Does the person lead this unit of the administration (all of it, or its school forms)?"""
        if administration_id in self.fully_led_administrations:
            return True
        return unit_id in self.limited_led_units

    def led_units_q(self, prefix: str = "") -> Q:
        """A filter for the units (at ``prefix``, e.g. "unit__") the person leads."""
        return Q(**{f"{prefix}administration_id__in": self.fully_led_administrations}) | Q(
            **{f"{prefix[:-2] + '_id' if prefix else 'pk'}__in": self.limited_led_units}
        )

    def forms_led_in(self, administration_id) -> frozenset[int] | None:
        """The school forms the person leads in an administration; None: all of them."""
        if administration_id not in self.limited_administrations:
            return None
        return dict(self.leadership_forms).get(administration_id, frozenset())

    @property
    def is_sysadmin(self) -> bool:
        return self.superuser or Role.SYSADMIN in self.roles


EMPTY_SCOPE = Scope(*(frozenset() for _ in range(9)))


def scope_of(user) -> Scope:
    """The person's scope, read with one query and cached on the user for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return EMPTY_SCOPE
    cached = getattr(user, "_ska_scope", None)
    if cached is not None:
        return cached
    rows = RoleAssignment.objects.filter(user=user).values_list(
        "role",
        "unit_id",
        "unit__administration_id",
        "administration_id",
        "administration__municipality_id",
        "committee_id",
        "provider_id",
        "unit__administration__committee_id",
        "administration__committee_id",
        "pk",
        "school_forms",  # one row per school form a leadership role is limited to (None: not limited)
    )
    roles, rector, contributor, administrations, municipalities, committees, providers, staff_admins, above = (
        set() for _ in range(9)
    )
    secretary_of: set[int] = set()
    unlimited_admins: set[int] = set()
    limited_forms: dict[int, set[int]] = {}
    for (
        role,
        unit_id,
        unit_administration_id,
        administration_id,
        municipality_id,
        committee_id,
        provider_id,
        unit_committee_id,
        administration_committee_id,
        _assignment_id,
        form_id,
    ) in rows:
        roles.add(role)
        above.update(c for c in (unit_committee_id, administration_committee_id) if c)
        if unit_administration_id:
            staff_admins.add(unit_administration_id)
        if role == Role.RECTOR:
            rector.add(unit_id)
        elif role == Role.CONTRIBUTOR:
            contributor.add(unit_id)
        elif role == Role.LEADERSHIP:
            administrations.add(administration_id)
            municipalities.add(municipality_id)
            if form_id is None:
                unlimited_admins.add(administration_id)
            else:
                limited_forms.setdefault(administration_id, set()).add(form_id)
        elif role in (Role.SECRETARY, Role.MEMBER):
            committees.add(committee_id)
            if role == Role.SECRETARY:
                secretary_of.add(committee_id)
        elif role == Role.PROVIDER_CONTACT:
            providers.add(provider_id)
    limited = {a: forms for a, forms in limited_forms.items() if a not in unlimited_admins}
    scope = Scope(
        limited_administrations=frozenset(limited),
        limited_led_units=_units_of_forms(limited),
        leadership_forms=tuple((a, frozenset(forms)) for a, forms in sorted(limited.items())),
        roles=frozenset(roles),
        rector_units=frozenset(rector),
        contributor_units=frozenset(contributor),
        led_administrations=frozenset(administrations),
        led_municipalities=frozenset(municipalities),
        committees=frozenset(committees),
        providers=frozenset(providers),
        staff_administrations=frozenset(staff_admins),
        related_committees=frozenset(above),
        secretary_committees=frozenset(secretary_of),
        superuser=user.is_superuser,
    )
    user._ska_scope = scope
    return scope


def _units_of_forms(limited: dict[int, set[int]]) -> frozenset[int]:
    """The units of each administration that have one of the given school forms (one query,
    only for a person whose leadership is limited to school forms)."""
    if not limited:
        return frozenset()
    condition = Q()
    for administration_id, forms in limited.items():
        condition |= Q(administration_id=administration_id, school_forms__in=forms)
    return frozenset(Unit.objects.filter(condition).values_list("pk", flat=True).distinct())


# --- Predicates -------------------------------------------------------------
@rules.predicate
def is_sysadmin(user) -> bool:
    return scope_of(user).is_sysadmin


@rules.predicate
def is_leadership(user) -> bool:
    return Role.LEADERSHIP in scope_of(user).roles


@rules.predicate
def is_unit_staff(user) -> bool:
    return bool(scope_of(user).unit_staff_units)


@rules.predicate
def is_provider_contact(user) -> bool:
    return Role.PROVIDER_CONTACT in scope_of(user).roles


@rules.predicate
def works_at_unit(user, unit: Unit) -> bool:
    return unit is not None and unit.pk in scope_of(user).unit_staff_units


@rules.predicate
def leads_unit(user, unit: Unit) -> bool:
    """Förvaltningsledning reaches every unit of its administration and, for the quality
    talks, every independent provider's unit in its municipality."""
    if unit is None:
        return False
    scope = scope_of(user)
    if unit.administration_id is not None:
        return scope.leads_unit(unit.pk, unit.administration_id)
    return unit.provider.municipality_id in scope.led_municipalities


@rules.predicate
def is_contact_of_unit_provider(user, unit: Unit) -> bool:
    return unit is not None and unit.provider_id is not None and unit.provider_id in scope_of(user).providers


@rules.predicate
def leads_provider(user, provider: IndependentProvider) -> bool:
    return provider is not None and provider.municipality_id in scope_of(user).led_municipalities


@rules.predicate
def is_contact_of_provider(user, provider: IndependentProvider) -> bool:
    return provider is not None and provider.pk in scope_of(user).providers


# --- The goal chain -------------------------------------------------------------
# How to get from each record of the chain to the goal whose permissions it follows.
PATH_TO_GOAL = {
    Goal: (),
    Indicator: ("goal",),
    Activity: ("goal",),
    Analysis: ("goal",),
    CheckIn: ("indicator", "goal"),
    ActivityFollowUp: ("activity", "goal"),
    ValidityReview: ("analysis", "goal"),
    DevelopmentArea: ("analysis", "goal"),
}


def goal_form_ids(goal: Goal) -> frozenset[int]:
    """The school forms a goal is limited to (prefetched ``school_forms`` when there, else one query)."""
    cache = getattr(goal, "_prefetched_objects_cache", {})
    if "school_forms" in cache:
        return frozenset(form.pk for form in cache["school_forms"])
    if not hasattr(goal, "_ska_form_ids"):
        goal._ska_form_ids = frozenset(goal.school_forms.values_list("pk", flat=True)) if goal.pk else frozenset()
    return goal._ska_form_ids


def chain_goal(record) -> Goal:
    """The goal a record of the chain belongs to (the goal itself for a goal)."""
    for step in PATH_TO_GOAL[type(record)]:
        record = getattr(record, step)
    return record


@rules.predicate
def can_work_on_unit_chain(user, unit: Unit) -> bool:
    """Rektorer and contributors keep their unit's chain; förvaltningsledning may too.
    Independent providers' units are not in the municipality's chain."""
    if unit is None or unit.administration_id is None:
        return False
    scope = scope_of(user)
    return scope.is_sysadmin or unit.pk in scope.unit_staff_units or scope.leads_unit(unit.pk, unit.administration_id)


def _chain_access(user, record, *, change: bool) -> bool:
    """One place for both rules: a unit's chain is its staff's and förvaltningsledning's to
    see and keep; the goals above the units are seen by all who work under them and kept by
    förvaltningsledning (who prepares the committee's goals for it)."""
    if record is None:
        return False
    goal = chain_goal(record)
    scope = scope_of(user)
    if scope.is_sysadmin:
        return True
    if goal.unit_id is not None:
        return goal.unit_id in scope.unit_staff_units or scope.leads_unit(goal.unit_id, goal.unit.administration_id)
    if goal.administration_id is not None:
        if not change:
            return goal.administration_id in scope.led_administrations | scope.staff_administrations
        if goal.administration_id not in scope.led_administrations:
            return False
        forms = scope.forms_led_in(goal.administration_id)
        # Leadership limited to school forms keeps the goals limited to its own forms.
        return forms is None or bool(goal_form_ids(goal)) and goal_form_ids(goal) <= forms
    if not change:
        return bool(scope.led_municipalities or scope.staff_administrations or scope.committees)
    municipality_id = goal.committee.municipality_id if goal.committee_id else goal.municipality_id
    return municipality_id in scope.led_municipalities


@rules.predicate
def can_view_chain(user, record) -> bool:
    return _chain_access(user, record, change=False)


@rules.predicate
def can_change_chain(user, record) -> bool:
    if isinstance(record, CheckIn) and record.kept_by_source:
        return False  # fetched again, never edited by hand (ska.kolada)
    return _chain_access(user, record, change=True)


# --- Annual wheels -----------------------------------------------------------------
def wheel_of(record):
    """The wheel a record of the annual wheel belongs to (the wheel itself for a wheel)."""
    for step in {"Wheel": (), "Event": ("wheel",), "Occurrence": ("event", "wheel")}[type(record).__name__]:
        record = getattr(record, step)
    return record


def _wheel_access(user, record, *, change: bool) -> bool:
    """A unit's wheel is its staff's and förvaltningsledning's; the administration's wheels are
    kept by its leadership and followed by everyone who works in it; the committee's wheel is
    kept by the leadership and the committee's secretary and seen by all under the committee."""
    if record is None:
        return False
    wheel = wheel_of(record)
    scope = scope_of(user)
    if scope.is_sysadmin:
        return True
    if wheel.unit_id is not None:
        return wheel.unit_id in scope.unit_staff_units or scope.leads_unit(wheel.unit_id, wheel.unit.administration_id)
    if wheel.administration_id is not None:
        keepers = scope.led_administrations
        return wheel.administration_id in (keepers if change else keepers | scope.staff_administrations)
    if wheel.committee.municipality_id in scope.led_municipalities:
        return True
    if change:
        return wheel.committee_id in scope.secretary_committees
    return wheel.committee_id in scope.committees | scope.related_committees


@rules.predicate
def can_view_wheel(user, record) -> bool:
    return _wheel_access(user, record, change=False)


@rules.predicate
def can_change_wheel(user, record) -> bool:
    return _wheel_access(user, record, change=True)


@rules.predicate
def follows_a_wheel(user) -> bool:
    scope = scope_of(user)
    return bool(scope.is_sysadmin or scope.led_administrations or scope.unit_staff_units or scope.committees)



# --- Quality dialogues --------------------------------------------------------------
# A dialogue has two sides. The *hosts* are the administration's leadership (for dialogues
# within a unit: the unit's rektor); they plan rounds, publish slots, hold dialogues and keep
# the notes. The *counterpart* is whoever the dialogue is with: the unit's staff, the
# provider's contact people, the committee, or the people invited to a group's dialogue. A
# counterpart sees only their own dialogues, and only once the round is open.
def dialogue_of(record):
    """The dialogue a record of a dialogue belongs to (the dialogue itself for a dialogue)."""
    name = type(record).__name__
    return record if name == "Dialogue" else record.dialogue


def _hosts_round(scope: Scope, round_) -> bool:
    if scope.is_sysadmin or round_.administration_id in scope.led_administrations:
        return True
    return round_.unit_id is not None and round_.unit_id in scope.rector_units


def _counterpart_q(user, scope: Scope) -> Q:
    from dialogs.models import Participant, Round

    return ~Q(round__status=Round.Status.DRAFT) & (
        Q(unit_id__in=scope.unit_staff_units)
        | Q(provider_id__in=scope.providers)
        | Q(committee_id__in=scope.committees)
        | Q(pk__in=Participant.objects.filter(user_id=user.pk, side=Participant.Side.COUNTERPART).values("dialogue_id"))
    )


def dialogue_side(user, dialogue) -> str | None:
    """"host", "counterpart" or None: which side of the dialogue the person is on."""
    if dialogue is None:
        return None
    scope = scope_of(user)
    if _hosts_round(scope, dialogue.round):
        return "host"
    if getattr(user, "pk", None) is None or dialogue.deleted_at is not None:
        return None
    cache = getattr(user, "_ska_dialogue_sides", None)
    if cache is None:
        cache = user._ska_dialogue_sides = {}
    if dialogue.pk not in cache:
        from dialogs.models import Dialogue

        cache[dialogue.pk] = Dialogue.objects.filter(_counterpart_q(user, scope), pk=dialogue.pk).exists()
    return "counterpart" if cache[dialogue.pk] else None


@rules.predicate
def can_view_round(user, round_) -> bool:
    if round_ is None:
        return False
    scope = scope_of(user)
    if _hosts_round(scope, round_):
        return True
    return visible_dialogues(user).filter(round_id=round_.pk).exists()


@rules.predicate
def can_host_round(user, round_) -> bool:
    return round_ is not None and _hosts_round(scope_of(user), round_)


@rules.predicate
def can_view_dialogue(user, record) -> bool:
    return record is not None and dialogue_side(user, dialogue_of(record)) is not None


@rules.predicate
def can_host_dialogue(user, record) -> bool:
    return record is not None and dialogue_side(user, dialogue_of(record)) == "host"


@rules.predicate
def can_prepare_dialogue(user, record) -> bool:
    """The counterpart's side: book, answer the question guide, comment on shared notes."""
    return record is not None and dialogue_side(user, dialogue_of(record)) == "counterpart"


@rules.predicate
def can_read_dialogue_notes(user, record) -> bool:
    if record is None:
        return False
    dialogue = dialogue_of(record)
    side = dialogue_side(user, dialogue)
    return side == "host" or (side == "counterpart" and dialogue.notes_state != "draft")


@rules.predicate
def takes_part_in_dialogues(user) -> bool:
    scope = scope_of(user)
    return bool(
        scope.is_sysadmin or scope.led_administrations or scope.unit_staff_units or scope.providers or scope.committees
    )


@rules.predicate
def can_create_rounds(user) -> bool:
    scope = scope_of(user)
    return bool(scope.is_sysadmin or scope.led_administrations or scope.rector_units)

# --- The committee's dialogue ---------------------------------------------------------
def visible_committees(user):
    """The committees whose dialogue page the person may read: their own (secretary, member),
    those above the administrations they lead, every one for a system administrator."""
    from .models import Committee

    scope = scope_of(user)
    committees = Committee.objects.select_related("municipality").order_by("name")
    if scope.is_sysadmin:
        return committees
    return committees.filter(Q(pk__in=scope.committees) | Q(administrations__in=scope.led_administrations)).distinct()


@rules.predicate
def can_keep_committee_dialogue(user, committee) -> bool:
    """Keep the topics, tie dialogues to meetings, suggest visits: the committee's secretary,
    the leadership of an administration under it, a system administrator."""
    from .models import Administration

    if committee is None:
        return False
    scope = scope_of(user)
    if scope.is_sysadmin:
        return True
    if Administration.objects.filter(pk__in=scope.led_administrations, committee_id=committee.pk).exists():
        return True
    return committee.pk in scope.secretary_committees


# --- Quality reports --------------------------------------------------------------
# A unit's report is its staff's to write (the rektor submits it) and förvaltningsledning's to
# approve or return. Generated documents: förvaltningsledning sees all of its administration's
# and committee's, the committee's secretary all of the committee's, committee members the
# published ones, rektorer and unit staff their own unit's.
def _is_secretary_of(user, committee_id) -> bool:
    return committee_id in scope_of(user).secretary_committees


def _leads_committee(scope: Scope, committee_id) -> bool:
    return Role.LEADERSHIP in scope.roles and committee_id in scope.related_committees


@rules.predicate
def can_view_unit_report(user, report) -> bool:
    if report is None:
        return False
    scope = scope_of(user)
    unit = report.unit
    return scope.is_sysadmin or unit.pk in scope.unit_staff_units or scope.leads_unit(unit.pk, unit.administration_id)


@rules.predicate
def can_write_unit_report(user, report) -> bool:
    if report is None:
        return False
    scope = scope_of(user)
    return scope.is_sysadmin or report.unit_id in scope.unit_staff_units


@rules.predicate
def can_submit_unit_report(user, report) -> bool:
    if report is None:
        return False
    scope = scope_of(user)
    return scope.is_sysadmin or report.unit_id in scope.rector_units


@rules.predicate
def can_decide_unit_report(user, report) -> bool:
    if report is None:
        return False
    scope = scope_of(user)
    return scope.is_sysadmin or scope.leads_unit(report.unit_id, report.unit.administration_id)


def _committee_round(round_) -> bool:
    from dialogs.models import DialogueKind

    return round_ is not None and round_.kind == DialogueKind.COMMITTEE


@rules.predicate
def can_view_document(user, document) -> bool:
    """An analysis report holds a round's dialogue notes: besides förvaltningsledning, only the
    round's hosts see it, and the committee's secretary only that of the committee's own round.
    It is never a unit's document (its staff may not be party to the dialogues)."""
    from reports.models import ReportKind

    if document is None:
        return False
    scope = scope_of(user)
    if scope.is_sysadmin:
        return True
    if document.administration_id is not None and document.administration_id in scope.led_administrations:
        return True
    if document.administration_id is None and _leads_committee(scope, document.committee_id):
        return True
    if document.published_at is not None and document.committee_id in scope.committees:
        return True
    if document.kind == ReportKind.ANALYSIS:
        # The round is read only for those it can matter to: rektorer and secretaries.
        if scope.rector_units and document.round is not None and document.round.unit_id in scope.rector_units:
            return True
        return _is_secretary_of(user, document.committee_id) and _committee_round(document.round)
    if _is_secretary_of(user, document.committee_id):
        return True
    return document.unit_id is not None and document.unit_id in scope.unit_staff_units


@rules.predicate
def can_publish_document(user, document) -> bool:
    if document is None:
        return False
    scope = scope_of(user)
    if scope.is_sysadmin or _is_secretary_of(user, document.committee_id):
        return True
    if document.administration_id is not None:
        return document.administration_id in scope.led_administrations
    return _leads_committee(scope, document.committee_id)


@rules.predicate
def can_build_administration_reports(user, administration) -> bool:
    """Build the administration's reports (overall, förskola, grundskola, round analysis, the
    committee's plan): its leadership and its committee's secretary."""
    if administration is None:
        return False
    scope = scope_of(user)
    if scope.is_sysadmin or administration.pk in scope.led_administrations:
        return True
    return _is_secretary_of(user, administration.committee_id)


@rules.predicate
def can_build_analysis_report(user, round_) -> bool:
    """Build a round's analysis report (it holds the dialogues' notes): the round has been
    opened, and the person hosts it, or is the committee's secretary and the round is the
    committee's own dialogue. Agrees with ``reports.services.listing.analysis_report_rounds``."""
    from dialogs.models import Round

    if round_ is None or round_.status == Round.Status.DRAFT or round_.deleted_at is not None:
        return False
    scope = scope_of(user)
    if _hosts_round(scope, round_):
        return True
    return _committee_round(round_) and _is_secretary_of(user, round_.administration.committee_id)


@rules.predicate
def uses_reports(user) -> bool:
    scope = scope_of(user)
    return bool(scope.is_sysadmin or scope.led_administrations or scope.unit_staff_units or scope.committees)


@rules.predicate
def can_manage_report_templates(user, administration=None) -> bool:
    scope = scope_of(user)
    if administration is None:
        return bool(scope.is_sysadmin or scope.led_administrations)
    return scope.is_sysadmin or administration.pk in scope.led_administrations


@rules.predicate
def can_keep_chain_settings(user, administration) -> bool:
    """The administration's settings for the goal chain (the goal limit): its leadership for all
    school forms, a system administrator."""
    if administration is None:
        return False
    scope = scope_of(user)
    return scope.is_sysadmin or administration.pk in scope.fully_led_administrations


# --- Permissions --------------------------------------------------------------
PERMISSIONS = {
    # Pages
    "ska.use_admin": is_sysadmin,
    "ska.list_units": is_sysadmin | is_leadership | is_unit_staff | is_provider_contact,
    "ska.list_providers": is_sysadmin | is_leadership,
    # Objects
    "ska.view_unit": is_sysadmin | leads_unit | works_at_unit | is_contact_of_unit_provider,
    "ska.view_provider": is_sysadmin | leads_provider | is_contact_of_provider,
    "ska.view_matrix": is_sysadmin | is_leadership,
    "ska.work_on_unit_chain": can_work_on_unit_chain,
    "ska.view_chain": can_view_chain,
    "ska.change_chain": can_change_chain,
    "ska.keep_chain_settings": can_keep_chain_settings,
    "ska.use_wheels": follows_a_wheel,
    "ska.manage_school_breaks": is_sysadmin | is_leadership,
    "ska.view_wheel": can_view_wheel,
    "ska.change_wheel": can_change_wheel,
    "ska.use_dialogues": takes_part_in_dialogues,
    "ska.create_rounds": can_create_rounds,
    "ska.manage_dialogue_settings": is_sysadmin | is_leadership,
    "ska.view_round": can_view_round,
    "ska.host_round": can_host_round,
    "ska.view_dialogue": can_view_dialogue,
    "ska.host_dialogue": can_host_dialogue,
    "ska.prepare_dialogue": can_prepare_dialogue,
    "ska.read_dialogue_notes": can_read_dialogue_notes,
    "ska.keep_committee_dialogue": can_keep_committee_dialogue,
    "ska.use_reports": uses_reports,
    "ska.view_unit_report": can_view_unit_report,
    "ska.write_unit_report": can_write_unit_report,
    "ska.submit_unit_report": can_submit_unit_report,
    "ska.decide_unit_report": can_decide_unit_report,
    "ska.view_document": can_view_document,
    "ska.publish_document": can_publish_document,
    "ska.build_administration_reports": can_build_administration_reports,
    "ska.build_analysis_report": can_build_analysis_report,
    "ska.manage_report_templates": can_manage_report_templates,
}
for _name, _predicate in PERMISSIONS.items():
    rules.add_perm(_name, _predicate)


# --- Querysets that agree with the permissions --------------------------------
def visible_units(user) -> QuerySet[Unit]:
    scope = scope_of(user)
    units = Unit.objects.all()
    if scope.is_sysadmin:
        return units
    return units.filter(
        scope.led_units_q()
        | Q(provider__municipality_id__in=scope.led_municipalities)
        | Q(pk__in=scope.unit_staff_units)
        | Q(provider_id__in=scope.providers)
    )


def visible_goals(user) -> QuerySet[Goal]:
    """Goals the person may see (agrees with ``ska.view_chain``)."""
    scope = scope_of(user)
    goals = Goal.objects.all()
    if scope.is_sysadmin:
        return goals
    visible = (
        Q(unit_id__in=scope.unit_staff_units)
        | scope.led_units_q("unit__")
        | Q(administration_id__in=scope.led_administrations | scope.staff_administrations)
    )
    if scope.led_municipalities or scope.staff_administrations or scope.committees:
        visible |= Q(level__in=[Goal.Level.AREA, Goal.Level.COMMITTEE])
    return goals.filter(visible)


def visible_wheels(user):
    """Wheels the person may see (agrees with ``ska.view_wheel``)."""
    from annualwheel.models import Wheel

    scope = scope_of(user)
    wheels = Wheel.objects.all()
    if scope.is_sysadmin:
        return wheels
    return wheels.filter(
        Q(unit_id__in=scope.unit_staff_units)
        | scope.led_units_q("unit__")
        | Q(administration_id__in=scope.led_administrations | scope.staff_administrations)
        | Q(committee__municipality_id__in=scope.led_municipalities)
        | Q(committee_id__in=scope.committees | scope.related_committees)
    )


def get_wheel_changeable_or_404(user, queryset: QuerySet, **lookup):
    """A wheel, event or occurrence the person may change: 404 if they may not see it, 403 if
    they may see but not change it."""
    obj = get_visible_or_404(user, queryset, "ska.view_wheel", **lookup)
    if not user.has_perm("ska.change_wheel", obj):
        raise PermissionDenied
    return obj


def visible_dialogues(user):
    """Dialogues the person may see (agrees with ``ska.view_dialogue``)."""
    from dialogs.models import Dialogue

    scope = scope_of(user)
    dialogues = Dialogue.objects.all()
    if scope.is_sysadmin:
        return dialogues
    hosted = Q(round__administration_id__in=scope.led_administrations) | Q(round__unit_id__in=scope.rector_units)
    return dialogues.filter(hosted | _counterpart_q(user, scope))


def visible_rounds(user):
    """Rounds the person may see (agrees with ``ska.view_round``): the ones they host, and
    open rounds with a dialogue of theirs."""
    from dialogs.models import Round

    scope = scope_of(user)
    rounds = Round.objects.all()
    if scope.is_sysadmin:
        return rounds
    hosted = Q(administration_id__in=scope.led_administrations) | Q(unit_id__in=scope.rector_units)
    theirs = Q(pk__in=visible_dialogues(user).values("round_id"))
    return rounds.filter(hosted | theirs)


def hosted_rounds(user):
    """Rounds the person hosts (agrees with ``ska.host_round``)."""
    from dialogs.models import Round

    scope = scope_of(user)
    rounds = Round.objects.all()
    if scope.is_sysadmin:
        return rounds
    return rounds.filter(Q(administration_id__in=scope.led_administrations) | Q(unit_id__in=scope.rector_units))


def get_dialogue_hostable_or_404(user, queryset: QuerySet, **lookup):
    """A dialogue (or a record of one) the person hosts: 404 if they may not see it, 403 if they
    are its counterpart."""
    obj = get_visible_or_404(user, queryset, "ska.view_dialogue", **lookup)
    if not user.has_perm("ska.host_dialogue", obj):
        raise PermissionDenied
    return obj


def led_administrations(user):
    """The administrations whose whole chain the person oversees."""
    from .models import Administration

    scope = scope_of(user)
    administrations = Administration.objects.select_related("municipality").order_by("name")
    return administrations if scope.is_sysadmin else administrations.filter(pk__in=scope.led_administrations)


def led_municipalities(user):
    """The municipalities whose dialogue settings (templates, quality matrices, evaluation
    questions) the person keeps: those they lead, every one for a system administrator."""
    from .models import Municipality

    scope = scope_of(user)
    municipalities = Municipality.objects.order_by("name")
    return municipalities if scope.is_sysadmin else municipalities.filter(pk__in=scope.led_municipalities)


def visible_providers(user) -> QuerySet[IndependentProvider]:
    scope = scope_of(user)
    providers = IndependentProvider.objects.all()
    if scope.is_sysadmin:
        return providers
    return providers.filter(Q(municipality_id__in=scope.led_municipalities) | Q(pk__in=scope.providers))


def visible_unit_reports(user):
    """Unit reports the person may see (agrees with ``ska.view_unit_report``)."""
    from reports.models import UnitReport

    scope = scope_of(user)
    reports = UnitReport.objects.all()
    if scope.is_sysadmin:
        return reports
    return reports.filter(Q(unit_id__in=scope.unit_staff_units) | scope.led_units_q("unit__"))


def visible_documents(user):
    """Report documents the person may see (agrees with ``ska.view_document``)."""
    from dialogs.models import DialogueKind
    from reports.models import ReportDocument, ReportKind

    scope = scope_of(user)
    documents = ReportDocument.objects.all()
    if scope.is_sysadmin:
        return documents
    secretary_of = scope.secretary_committees
    analysis = Q(kind=ReportKind.ANALYSIS)
    visible = (
        Q(administration_id__in=scope.led_administrations)
        | Q(published_at__isnull=False, committee_id__in=scope.committees)
        | ~analysis & (Q(committee_id__in=secretary_of) | Q(unit_id__in=scope.unit_staff_units))
        | analysis & Q(committee_id__in=secretary_of, round__kind=DialogueKind.COMMITTEE)
        | analysis & Q(round__unit_id__in=scope.rector_units)
    )
    if Role.LEADERSHIP in scope.roles:
        visible |= Q(administration__isnull=True, committee_id__in=scope.related_committees)
    return documents.filter(visible)


def report_administrations(user):
    """The administrations whose reports the person may build (agrees with
    ``ska.build_administration_reports``)."""
    from .models import Administration

    scope = scope_of(user)
    administrations = Administration.objects.select_related("municipality", "committee").order_by("name")
    if scope.is_sysadmin:
        return administrations
    return administrations.filter(Q(pk__in=scope.led_administrations) | Q(committee_id__in=scope.secretary_committees))


# --- For views ------------------------------------------------------------------
def get_visible_or_404(user, queryset: QuerySet, perm: str, **lookup):
    """The object, if the person may see it; otherwise 404, so nothing of it leaks."""
    try:
        obj = queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404
    if not user.has_perm(perm, obj):
        raise Http404
    return obj


def get_changeable_or_404(user, queryset: QuerySet, **lookup):
    """A record of the goal chain the person may change: 404 if they may not even see it,
    403 if they may see but not change it."""
    obj = get_visible_or_404(user, queryset, "ska.view_chain", **lookup)
    if not user.has_perm("ska.change_chain", obj):
        raise PermissionDenied
    return obj


def require_perm(perm: str):
    """Decorator for views that a role may not use at all: 403 with an explanation."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.has_perm(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
