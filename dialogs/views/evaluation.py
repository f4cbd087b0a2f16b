"""The year-end evaluation: the municipality's questions, sending the forms, answering one,
the person's own list, and the results (leadership only, hidden below three answers)."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ska.access import led_municipalities, require_perm
from ska.schoolyear import SchoolYear
from ska.views.organisation import school_year_from, school_years_around

from ..forms_evaluation import AnswerForm, QuestionFormSet, SendForm
from ..models import DialogueKind
from ..models.evaluation import MIN_RESPONSES, EvaluationInvitation, EvaluationQuestion
from ..services import evaluation as services


def _kind_from(request) -> str:
    kind = request.GET.get("typ", "")
    return kind if kind in DialogueKind.values else DialogueKind.PROVIDER


@require_http_methods(["GET", "POST"])
@require_perm("ska.manage_dialogue_settings")
def evaluation_questions(request):
    municipality = led_municipalities(request.user).first()
    if municipality is None:
        return render(request, "dialogs/evaluation/questions.html", {"municipality": None, "title": _("Evaluation questions")})
    queryset = EvaluationQuestion.objects.filter(municipality=municipality).order_by("position", "pk")
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "adopt":
        services.questions_ensure(municipality=municipality, user=request.user)
        messages.success(request, _("The built-in questions are now yours to change."))
        return redirect("dialogs:evaluation_questions")
    formset = QuestionFormSet(request.POST if action == "save" else None, queryset=queryset, prefix="question")
    if action == "save" and formset.is_valid():
        with transaction.atomic():  # all rows or none
            for form in formset.forms:
                if form.has_changed() and form.cleaned_data.get("text"):
                    question = form.save(commit=False)
                    question.municipality = municipality
                    question._history_user = request.user
                    question.save()
        messages.success(request, _("The evaluation questions have been saved."))
        return redirect("dialogs:evaluation_questions")
    context = {
        "municipality": municipality,
        "formset": formset,
        "own": queryset.exists(),
        "defaults": services.default_questions(),
        "title": _("Evaluation questions"),
    }
    return render(request, "dialogs/evaluation/questions.html", context)


@require_POST
@require_perm("ska.manage_dialogue_settings")
def evaluation_send(request):
    municipality = led_municipalities(request.user).first()
    form = SendForm(request.POST)
    if municipality is None or not form.is_valid():
        messages.error(request, _("Choose a kind of dialogue and a school year."))
        return redirect("dialogs:evaluation_results")
    kind = form.cleaned_data["kind"]
    try:
        school_year = SchoolYear(form.cleaned_data["school_year"])
    except ValueError:
        messages.error(request, _("Choose a kind of dialogue and a school year."))
        return redirect("dialogs:evaluation_results")
    count = services.evaluations_send(municipality=municipality, kind=kind, school_year=school_year, user=request.user)
    if count:
        messages.success(request, _("%(n)s people have been sent the evaluation.") % {"n": count})
    else:
        messages.info(request, _("Nobody new to send the evaluation to: everyone who took part in a held dialogue has it already."))
    return redirect(f"{reverse('dialogs:evaluation_results')}?typ={kind}&lasar={school_year.start_year}")


@require_http_methods(["GET"])
@require_perm("ska.manage_dialogue_settings")
def evaluation_results(request):
    municipality = led_municipalities(request.user).first()
    school_year = school_year_from(request)
    kind = _kind_from(request)
    context = {
        "municipality": municipality,
        "school_year": school_year,
        "school_years": school_years_around(school_year),
        "kind": kind,
        "kind_label": DialogueKind(kind).label,
        "kinds": DialogueKind.choices,
        "min_responses": MIN_RESPONSES,
        "title": _("Evaluation results"),
    }
    if municipality is not None:
        context.update(services.evaluation_results(municipality=municipality, kind=kind, school_year=school_year))
        context["send_form"] = SendForm(initial={"kind": kind, "school_year": school_year.start_year})
    return render(request, "dialogs/evaluation/results.html", context)


@require_http_methods(["GET"])
def my_evaluations(request):
    invitations = services.my_invitations(request.user)
    return render(
        request, "dialogs/evaluation/mine.html", {"invitations": invitations, "title": _("My evaluations")}
    )


@require_http_methods(["GET", "POST"])
def evaluation_answer(request, pk):
    # Only the invited person: anyone else gets 404 and learns nothing about the invitation.
    invitation = get_object_or_404(EvaluationInvitation.objects.select_related("municipality"), pk=pk, user=request.user)
    questions = services.questions_for(invitation.municipality, invitation.kind)
    answered = invitation.answered_at is not None
    form = AnswerForm(request.POST if request.method == "POST" and not answered else None, questions=questions)
    if request.method == "POST":
        if answered:
            messages.error(request, _("You have already answered this evaluation. Answers cannot be changed."))
            return redirect("dialogs:evaluation_answer", pk=invitation.pk)
        if questions and form.is_valid():
            try:
                services.evaluation_answer(invitation=invitation, user=request.user, answers=form.answers())
            except services.EvaluationError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("Thank you! Your answers have been saved, without your name."))
            return redirect("dialogs:my_evaluations")
    context = {
        "invitation": invitation,
        "answered": answered,
        "form": form,
        "min_responses": MIN_RESPONSES,
        "title": _("Evaluation: %(kind)s %(year)s") % {"kind": invitation.get_kind_display(), "year": invitation.school_year},
    }
    return render(request, "dialogs/evaluation/answer.html", context)
