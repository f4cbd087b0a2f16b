"""The committee's quality dialogue: the year's topics, its dialogues at committee meetings,
suggested unit visits and the text for the meeting notice."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ska.access import get_visible_or_404, require_perm
from ska.models import Unit
from ska.schoolyear import SchoolYear
from ska.views.organisation import school_year_from, school_years_around

from ..forms_committee import DialoguePlanForm, TopicForm, VisitForm
from ..models import Dialogue, DialogueKind
from ..models.committee import MAX_TOPICS, MIN_TOPICS, CommitteeTopic, VisitSuggestion
from ..services import committee as services


def _committee_url(committee, school_year: SchoolYear) -> str:
    return f"{reverse('dialogs:committee')}?namnd={committee.pk}&lasar={school_year.start_year}"


def _topic_for_change(request, pk) -> CommitteeTopic:
    topic = get_object_or_404(
        CommitteeTopic.objects.select_related("committee"),
        pk=pk,
        committee__in=services.visible_committees(request.user),
    )
    if not services.can_keep_committee_dialogue(request.user, topic.committee):
        raise PermissionDenied
    return topic


def _committee_dialogue(request, pk) -> Dialogue:
    return get_visible_or_404(
        request.user,
        Dialogue.objects.filter(committee__isnull=False, round__kind=DialogueKind.COMMITTEE).select_related(
            "round__administration", "committee", "meeting__event", "committee_topic__topic"
        ),
        "ska.view_dialogue",
        pk=pk,
    )


@require_http_methods(["GET", "POST"])
@require_perm("ska.use_dialogues")
def committee(request):
    committees = list(services.visible_committees(request.user))
    if not committees:
        raise PermissionDenied
    chosen = request.GET.get("namnd", "")
    current = next((c for c in committees if str(c.pk) == chosen), committees[0])
    school_year = school_year_from(request)
    can_keep = services.can_keep_committee_dialogue(request.user, current)
    topics = list(services.topics_of(current, school_year))
    warning = services.topic_count_warning(len(topics))
    action = request.POST.get("action") if request.method == "POST" else None
    if action and not can_keep:
        raise PermissionDenied
    form = TopicForm(request.POST if action == "topic" else None, count=len(topics), warning=warning, prefix="topic")
    if action == "topic" and form.is_valid():
        values = {k: form.cleaned_data[k] for k in ("title", "description", "decided_on")}
        try:
            topic = services.topic_add(committee=current, school_year=school_year, values=values, user=request.user)
        except services.TopicLimitError as error:
            form.add_error("title", str(error))
        else:
            messages.success(request, _("“%(title)s” has been added.") % {"title": topic.title})
            if len(topics) + 1 < MIN_TOPICS:
                messages.warning(request, services.topic_count_warning(len(topics) + 1))
            return redirect(_committee_url(current, school_year))
    if action == "round":
        administration = current.administrations.order_by("pk").first()
        if administration is not None and not services.can_create_committee_round(request.user, administration):
            raise PermissionDenied
        if administration is None or not topics:
            messages.error(request, _("Choose the topics first."))
        else:
            _round, created = services.committee_round_create(
                committee=current, administration=administration, school_year=school_year, user=request.user
            )
            messages.success(
                request,
                _("%(n)s new dialogues have been created. Tie each one to a committee meeting.") % {"n": len(created)},
            )
        return redirect(_committee_url(current, school_year))
    dialogues = list(services.committee_dialogues(request.user, current, school_year))
    covered = {d.committee_topic.topic_id for d in dialogues if services.dialogue_topic(d) is not None}
    context = {
        "committees": committees,
        "committee": current,
        "school_year": school_year,
        "school_years": school_years_around(school_year),
        "topics": topics,
        "topic_warning": warning,
        "max_topics": MAX_TOPICS,
        "can_add_topic": can_keep and len(topics) < MAX_TOPICS,
        "can_keep": can_keep,
        "can_create_round": any(services.can_create_committee_round(request.user, a) for a in current.administrations.all()),
        "form": form,
        "dialogues": [(d, services.dialogue_topic(d)) for d in dialogues],
        "uncovered": [t for t in topics if t.pk not in covered],
        "meetings": list(services.committee_meetings(current, school_year)),
        "title": _("The committee's quality dialogue"),
    }
    return render(request, "dialogs/committee/committee.html", context)


@require_http_methods(["GET", "POST"])
def committee_topic_edit(request, pk):
    topic = _topic_for_change(request, pk)
    form = TopicForm(request.POST or None, instance=topic)
    if request.method == "POST" and form.is_valid():
        values = {k: form.cleaned_data[k] for k in ("title", "description", "decided_on")}
        services.topic_update(topic=topic, values=values, user=request.user)
        messages.success(request, _("The topic has been saved."))
        return redirect(_committee_url(topic.committee, topic.school_year))
    context = {"form": form, "topic": topic, "title": _("Change the topic")}
    return render(request, "dialogs/committee/topic_form.html", context)


@require_POST
def committee_topic_move(request, pk):
    topic = _topic_for_change(request, pk)
    services.topic_move(topic=topic, up=request.POST.get("direction") == "up", user=request.user)
    return redirect(_committee_url(topic.committee, topic.school_year))


@require_POST
def committee_topic_delete(request, pk):
    topic = _topic_for_change(request, pk)
    services.topic_remove(topic=topic, user=request.user)
    messages.success(request, _("“%(title)s” has been removed.") % {"title": topic.title})
    remaining = services.topics_of(topic.committee, topic.school_year).count()
    if remaining < MIN_TOPICS:
        messages.warning(request, services.topic_count_warning(remaining))
    return redirect(_committee_url(topic.committee, topic.school_year))


@require_http_methods(["GET", "POST"])
def committee_dialogue(request, pk):
    dialogue = _committee_dialogue(request, pk)
    committee_ = dialogue.committee
    school_year = dialogue.round.school_year
    can_keep = services.can_keep_committee_dialogue(request.user, committee_)
    action = request.POST.get("action") if request.method == "POST" else None
    if action and not can_keep:
        raise PermissionDenied
    topic = services.dialogue_topic(dialogue)
    meetings = services.committee_meetings(committee_, school_year)
    topics = services.topics_of(committee_, school_year)
    plan_form = DialoguePlanForm(
        request.POST if action == "plan" else None,
        meetings=meetings,
        topics=topics,
        initial={"meeting": dialogue.meeting_id, "topic": topic.pk if topic else None},
        prefix="plan",
    )
    units = Unit.objects.open().filter(administration__committee=committee_).order_by("name")
    visit_form = VisitForm(request.POST if action == "visit" else None, units=units, prefix="visit")
    if action == "plan" and plan_form.is_valid():
        services.dialogue_plan(
            dialogue=dialogue,
            meeting=plan_form.cleaned_data["meeting"],
            topic=plan_form.cleaned_data["topic"],
            user=request.user,
        )
        messages.success(request, _("The dialogue's meeting and topic have been saved."))
        return redirect("dialogs:committee_dialogue", pk=dialogue.pk)
    if action == "visit" and visit_form.is_valid():
        visit = services.visit_add(
            dialogue=dialogue,
            unit=visit_form.cleaned_data["unit"],
            reason=visit_form.cleaned_data["reason"],
            user=request.user,
        )
        messages.success(request, _("A visit to %(unit)s is suggested.") % {"unit": visit.unit})
        return redirect("dialogs:committee_dialogue", pk=dialogue.pk)
    context = {
        "dialogue": dialogue,
        "committee": committee_,
        "school_year": school_year,
        "topic": topic,
        "can_keep": can_keep,
        "plan_form": plan_form,
        "visit_form": visit_form,
        "visits": dialogue.visit_suggestions.select_related("unit"),
        "participants": dialogue.participants.select_related("user"),
        "has_meetings": meetings.exists(),
        "committee_url": _committee_url(committee_, school_year),
        "title": topic.title if topic else str(dialogue),
    }
    return render(request, "dialogs/committee/dialogue.html", context)


@require_POST
def committee_visit_delete(request, pk):
    visit = get_object_or_404(VisitSuggestion.objects.select_related("dialogue", "unit"), pk=pk)
    dialogue = _committee_dialogue(request, visit.dialogue_id)
    if not services.can_keep_committee_dialogue(request.user, dialogue.committee):
        raise PermissionDenied
    services.visit_remove(visit=visit, user=request.user)
    messages.success(request, _("The visit to %(unit)s is no longer suggested.") % {"unit": visit.unit})
    return redirect("dialogs:committee_dialogue", pk=dialogue.pk)


@require_http_methods(["GET"])
def kallelse(request, pk):
    dialogue = _committee_dialogue(request, pk)
    notice = services.kallelse_text(dialogue)
    if request.GET.get("format") == "txt":
        response = HttpResponse(notice.text, content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{notice.filename}"'
        return response
    if request.GET.get("format"):
        raise Http404
    context = {
        "dialogue": dialogue,
        "notice": notice,
        "rows": notice.text.count("\n") + 2,
        "topic": services.dialogue_topic(dialogue),
        "committee_url": _committee_url(dialogue.committee, dialogue.round.school_year),
        "title": _("Text for the meeting notice"),
    }
    return render(request, "dialogs/committee/kallelse.html", context)
