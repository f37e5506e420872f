from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ntm.accounts.permissions import Action, can, require, unit_or_404
from ntm.geo.models import AdminUnit, Level
from ntm.recognition import forms, selectors, services
from ntm.recognition.models import Dossier, Rule, Survey


def _unit(request: HttpRequest, unit_id: int, action: Action = Action.VIEW) -> AdminUnit:
    return unit_or_404(request.user, unit_id, action)


def _survey(request: HttpRequest, unit_id: int, survey_id: int) -> Survey:
    unit = _unit(request, unit_id)
    return get_object_or_404(Survey.objects.select_related("unit"), unit=unit, pk=survey_id)


def _dossier(request: HttpRequest, unit_id: int, dossier_id: int) -> Dossier:
    unit = _unit(request, unit_id)
    return get_object_or_404(
        Dossier.objects.select_related("unit", "step", "workflow", "survey").prefetch_related(
            "workflow__steps"
        ),
        unit=unit,
        pk=dossier_id,
    )


@login_required
def overview(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Dossiers and recognitions under a unit (the province's list), with the revocation risk."""
    unit = _unit(request, unit_id)
    return render(
        request,
        "recognition/overview.html",
        {
            "unit": unit,
            "dossiers": selectors.dossiers_under(unit),
            "recognitions": selectors.recognitions_under(unit),
            "form": forms.DossierForm() if unit.level == Level.COMMUNE else None,
            "can_create": unit.level == Level.COMMUNE
            and can(request.user, Action.MANAGE_PLAN, unit),
            "surveys": selectors.surveys_of(unit) if unit.level == Level.COMMUNE else [],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def survey_list(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _unit(request, unit_id)
    form = forms.SurveyForm(request.POST or None)
    if request.method == "POST":
        require(request.user, Action.SUPERVISE, unit)
        if form.is_valid():
            d = form.cleaned_data
            try:
                survey = services.survey_create(
                    user=request.user,
                    unit=unit,
                    purpose=d["purpose"],
                    set_code=d["criteria_set"].code,
                    title=d["title"],
                    questions=d["questions"].splitlines(),
                )
            except services.SurveyError as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("recognition:survey", unit_id=unit.pk, survey_id=survey.pk)
    return render(
        request,
        "recognition/survey_list.html",
        {
            "unit": unit,
            "surveys": selectors.surveys_of(unit),
            "form": form,
            "can_create": unit.level == Level.COMMUNE and can(request.user, Action.SUPERVISE, unit),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def survey_detail(request: HttpRequest, unit_id: int, survey_id: int) -> HttpResponse:
    """The aggregate result, open to everyone who sees the commune; settings for Front/province."""
    survey = _survey(request, unit_id, survey_id)
    unit = survey.unit
    data = request.POST if request.method == "POST" else None
    section = request.POST.get("section") if data else None
    question_form = forms.QuestionForm(data if section == "question" else None)
    village_form = forms.VillageForm(data if section == "village" else None, unit=unit)
    threshold_form = forms.ThresholdForm(
        data if section == "threshold" else None,
        initial={
            "required_share": survey.required_share,
            "source": survey.threshold_source,
            "verified": survey.threshold_verified,
        },
    )
    if request.method == "POST":
        form: Any = {"question": question_form, "village": village_form}.get(
            section or "", threshold_form
        )
        if section != "threshold":
            require(request.user, Action.SUPERVISE, unit)
        if form.is_valid():
            d = form.cleaned_data
            try:
                if section == "question":
                    services.survey_question_add(user=request.user, survey=survey, text=d["text"])
                elif section == "village":
                    services.survey_village_set(
                        user=request.user,
                        survey=survey,
                        village=d["village"],
                        households=d["households"],
                    )
                else:
                    services.survey_threshold_set(
                        user=request.user,
                        survey=survey,
                        required_share=d["required_share"],
                        source=d["source"],
                        verified=d["verified"],
                    )
            except services.SurveyError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Saved."))
                return redirect("recognition:survey", unit_id=unit.pk, survey_id=survey.pk)
    return render(
        request,
        "recognition/survey_detail.html",
        {
            "unit": unit,
            "survey": survey,
            "questions": list(survey.questions.all()),
            "tally": selectors.survey_tally(survey),
            "villages": selectors.survey_villages(survey),
            "question_form": question_form,
            "village_form": village_form,
            "threshold_form": threshold_form,
            "can_supervise": can(request.user, Action.SUPERVISE, unit),
            "can_appraise": can(request.user, Action.APPRAISE, unit),
            "can_ballots": services.may_handle_ballots(request.user, unit),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def ballots(request: HttpRequest, unit_id: int, survey_id: int) -> HttpResponse:
    """Household ballots: personal data, only for the Front and the auditors.

    A village Front committee (a membership on the village) enters and sees its village only.
    """
    unit = get_object_or_404(AdminUnit, pk=unit_id)
    survey = get_object_or_404(Survey.objects.select_related("unit"), unit=unit, pk=survey_id)
    villages = [v.village for v in survey.villages.select_related("village")]
    if not services.may_handle_ballots(request.user, unit):
        villages = [v for v in villages if services.may_handle_ballots(request.user, v)]
        if not villages:
            require(request.user, Action.VIEW, unit)
            raise PermissionDenied
    form = forms.BallotForm(request.POST or None, survey=survey, villages=villages)
    if request.method == "POST" and form.is_valid():
        try:
            ballot = services.ballot_add(
                user=request.user,
                survey=survey,
                village=form.cleaned_data["village"],
                household_code=form.cleaned_data["household_code"],
                answers=form.answers(),
            )
        except services.SurveyError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("Ballot of household %(code)s saved.") % {"code": ballot.household_code}
            )
            return redirect("recognition:ballots", unit_id=unit.pk, survey_id=survey.pk)
    return render(
        request,
        "recognition/ballots.html",
        {
            "unit": unit,
            "survey": survey,
            "form": form,
            "ballots": survey.ballots.filter(village__in=villages)
            .select_related("village")
            .order_by("-entered_at", "-pk"),
            "tally": selectors.survey_tally(survey),
        },
    )


@login_required
@require_POST
def dossier_create(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _unit(request, unit_id, Action.MANAGE_PLAN)
    form = forms.DossierForm(request.POST)
    if form.is_valid():
        try:
            dossier = services.dossier_create(
                user=request.user,
                unit=unit,
                set_code=form.cleaned_data["criteria_set"].code,
                workflow=form.cleaned_data["workflow"],
            )
        except services.DossierError as exc:
            messages.error(request, str(exc))
        else:
            return redirect("recognition:dossier", unit_id=unit.pk, dossier_id=dossier.pk)
    else:
        messages.error(request, _("Choose the criteria set and the workflow."))
    return redirect("recognition:overview", unit_id=unit.pk)


SECTIONS: dict[str, Any] = {
    Rule.POSTING: forms.PostingForm,
    Rule.COMMENTS: forms.CommentsForm,
    Rule.VOTE: forms.VoteForm,
    Rule.APPRAISAL: forms.AppraisalForm,
    Rule.DECISION: forms.DecisionForm,
}


def _record(request: HttpRequest, dossier: Dossier, section: str, d: dict[str, Any]) -> None:
    user = request.user
    if section == Rule.POSTING:
        services.posting_add(user=user, dossier=dossier, place=d["place"], date=d["date"])
    elif section == Rule.COMMENTS:
        services.comments_record(
            user=user, dossier=dossier, received=d["received"], answered=d["answered"]
        )
    elif section == Rule.SURVEY:
        services.survey_link(user=user, dossier=dossier, survey=d["survey"])
    elif section == Rule.VOTE:
        services.vote_record(user=user, dossier=dossier, **d)
    elif section == Rule.APPRAISAL:
        services.appraisal_record(user=user, dossier=dossier, notes=d["notes"])
    else:
        services.decision_record(user=user, dossier=dossier, number=d["number"], date=d["date"])


@login_required
@require_http_methods(["GET", "POST"])
def dossier_detail(request: HttpRequest, unit_id: int, dossier_id: int) -> HttpResponse:
    dossier = _dossier(request, unit_id, dossier_id)
    section = request.POST.get("section", "") if request.method == "POST" else ""
    bound = {}
    if section == Rule.SURVEY:
        bound[section] = forms.SurveyLinkForm(
            request.POST, unit=dossier.unit, set_code=dossier.set_code
        )
    elif section in SECTIONS:
        bound[section] = SECTIONS[section](request.POST)
    elif request.method == "POST":
        require(request.user, Action.VIEW, dossier.unit)
        raise PermissionDenied
    if bound:
        form = bound[section]
        if form.is_valid():
            try:
                _record(request, dossier, section, form.cleaned_data)
            except services.DossierError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Saved."))
                return redirect("recognition:dossier", unit_id=unit_id, dossier_id=dossier.pk)
    step = dossier.step
    user = request.user
    can_record = {
        rule: dossier.status == Dossier.Status.IN_PROGRESS
        and any(
            services.may_act(user, dossier.unit, s.role)
            for s in dossier.workflow.steps.all()
            if s.rule == rule
        )
        for rule in (Rule.POSTING, Rule.COMMENTS, Rule.SURVEY, Rule.VOTE, Rule.DECISION)
    }
    can_record[Rule.APPRAISAL] = (
        step is not None
        and step.rule == Rule.APPRAISAL
        and dossier.status == Dossier.Status.IN_PROGRESS
        and services.may_act(user, dossier.unit, step.role)
    )
    forms_by_rule = {rule: bound.get(rule) or SECTIONS[rule]() for rule in SECTIONS}
    forms_by_rule[Rule.SURVEY] = bound.get(Rule.SURVEY) or forms.SurveyLinkForm(
        unit=dossier.unit, set_code=dossier.set_code, initial={"survey": dossier.survey_id}
    )
    return render(
        request,
        "recognition/dossier_detail.html",
        {
            "unit": dossier.unit,
            "dossier": dossier,
            "page": selectors.dossier_page(dossier),
            "forms": forms_by_rule,
            "can_record": can_record,
            "can_advance": step is not None
            and dossier.status == Dossier.Status.IN_PROGRESS
            and services.may_act(user, dossier.unit, step.role),
            "advance_form": forms.AdvanceForm(),
        },
    )


@login_required
@require_POST
def dossier_advance(request: HttpRequest, unit_id: int, dossier_id: int) -> HttpResponse:
    dossier = _dossier(request, unit_id, dossier_id)
    form = forms.AdvanceForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.dossier_advance(user=request.user, dossier=dossier, note=note)
    except services.DossierError as exc:
        messages.error(request, _("The step cannot be completed: %(reason)s") % {"reason": exc})
    else:
        messages.success(request, _("Step completed."))
    return redirect("recognition:dossier", unit_id=unit_id, dossier_id=dossier.pk)
