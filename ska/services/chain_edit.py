"""Saving the goal chain's forms: creating records under their parent and editing them with
a check against conflicting saves. Many-to-many choices (curriculum areas, an activity's
indicators) are saved after the record, in the same transaction."""

from __future__ import annotations

from django.db import transaction

from ..models import Activity, ActivityFollowUp, Analysis, DevelopmentArea, Goal, Indicator, ValidityReview
from ..schoolyear import SchoolYear
from .chain import goal_create
from .records import record_update
from .shared_indicators import copies_for_goal


def _m2m(form) -> dict:
    return {
        field.name: form.cleaned_data[field.name]
        for field in form._meta.model._meta.many_to_many
        if field.name in form.cleaned_data and field.name in form.changed_data
    }


def _scalars(form) -> dict:
    m2m = {field.name for field in form._meta.model._meta.many_to_many}
    return {name: value for name, value in form.changed_values().items() if name not in m2m}


@transaction.atomic
def form_update(*, form, user):
    """Save an edit form onto its record; raises EditConflict if someone saved in between."""
    record = form.instance
    version = form.cleaned_data.get("version") or record.version
    values = _scalars(form)
    # Re-read the record as it is in the database: the form has already put the new values
    # on form.instance, and the conflict check must compare against what is stored.
    stored = type(record).all_objects.get(pk=record.pk)
    updated = record_update(record=stored, version=version, values=values, user=user)
    for name, values in _m2m(form).items():
        getattr(updated, name).set(values)
    if isinstance(updated, Goal) and "parent" in values:
        copies_for_goal(goal=updated, user=user)  # linked to an administration-wide goal
    return updated


@transaction.atomic
def goal_create_from_form(*, form, unit, school_year: SchoolYear, user) -> Goal:
    data = dict(form.cleaned_data)
    parent = data.pop("parent", None)
    data.pop("version", None)
    level = Goal.Level.UNIT if parent else Goal.Level.LOCAL
    return goal_create(level=level, owner=unit, school_year=school_year, parent=parent, values=data, user=user)


def _create(record, user, m2m=None):
    record.full_clean()
    record._history_user = user
    record.save()
    for name, values in (m2m or {}).items():
        getattr(record, name).set(values)
    return record


@transaction.atomic
def indicator_create(*, goal: Goal, form, user) -> Indicator:
    data = {k: v for k, v in form.cleaned_data.items() if k not in ("version", "school_forms")}
    m2m = {"school_forms": form.cleaned_data["school_forms"]} if "school_forms" in form.cleaned_data else {}
    return _create(Indicator(goal=goal, **data), user, m2m)


@transaction.atomic
def activity_create(*, goal: Goal, form, user) -> Activity:
    data = {k: v for k, v in form.cleaned_data.items() if k not in ("version", "indicators")}
    return _create(Activity(goal=goal, **data), user, {"indicators": form.cleaned_data.get("indicators") or []})


@transaction.atomic
def follow_up_create(*, activity: Activity, form, user) -> ActivityFollowUp:
    return _create(ActivityFollowUp(activity=activity, **form.cleaned_data), user)


@transaction.atomic
def analysis_save(*, goal: Goal, form, validity_forms, area_forms, user) -> Analysis:
    """Create or update an analysis with its validity reviews and new development areas."""
    if form.instance.pk:
        analysis = form_update(form=form, user=user)
    else:
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        analysis = _create(Analysis(goal=goal, **data), user)
    for validity in validity_forms:
        review = ValidityReview.objects.filter(analysis=analysis, indicator=validity.indicator).first()
        review = review or ValidityReview(analysis=analysis, indicator=validity.indicator)
        for name in ("reliability", "measures_intended", "reflects_reality"):
            setattr(review, name, validity.cleaned_data[name])
        if review.pk:
            review.version += 1
        _create(review, user)
    for area in area_forms:
        if area.cleaned_data.get("title"):
            _create(
                DevelopmentArea(analysis=analysis, title=area.cleaned_data["title"], description=area.cleaned_data["description"]),
                user,
            )
    return analysis
