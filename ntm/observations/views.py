from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ntm.accounts.permissions import Action, can, require
from ntm.catalog.models import CriteriaSet
from ntm.core.http import HtmxHttpRequest
from ntm.engine.periods import Period, parse_period
from ntm.geo.models import AdminUnit
from ntm.observations import selectors, services
from ntm.observations.forms import CommentForm, EvidenceForm, ReasonForm, ValueForm
from ntm.observations.models import DataValue, Evidence


def _context(
    request: HttpRequest, unit_id: int, set_code: str, period: str, action: Action = Action.VIEW
) -> tuple[AdminUnit, CriteriaSet, Period]:
    unit = get_object_or_404(AdminUnit, pk=unit_id)
    require(request.user, action, unit)
    family = get_object_or_404(CriteriaSet, code=set_code, localises__isnull=True)
    try:
        parsed = parse_period(period)
    except ValueError as exc:
        raise Http404 from exc
    return unit, family, parsed


@login_required
def entry(request: HttpRequest, unit_id: int, set_code: str, period: str) -> HttpResponse:
    unit, family, parsed = _context(request, unit_id, set_code, period)
    wanted = request.GET.get("p", "").strip()
    if wanted:
        try:
            other = parse_period(wanted).code
        except ValueError:
            messages.error(
                request,
                _("“%(period)s” is not a period (2024, 2024H1, 2024Q1).") % {"period": wanted},
            )
        else:
            return redirect(
                "observations:entry", unit_id=unit.pk, set_code=family.code, period=other
            )
    page = selectors.entry_page(unit=unit, family=family, period=parsed)
    return render(
        request,
        "observations/entry.html",
        {
            "page": page,
            "unit": unit,
            "family": family,
            "can_edit": can(request.user, Action.EDIT_DATA, unit),
        },
    )


@login_required
@require_POST
def value_save(
    request: HtmxHttpRequest, unit_id: int, set_code: str, period: str, code: str
) -> HttpResponse:
    unit, family, parsed = _context(request, unit_id, set_code, period, Action.EDIT_DATA)
    form = ValueForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.value_set(
                user=request.user,
                unit=unit,
                criteria_set=family,
                code=code,
                period=parsed.code,
                value=form.cleaned_data["value"],
                note=form.cleaned_data["note"],
            )
        except services.DataError as exc:
            error = str(exc)
    else:
        error = _("Enter a value.")
    if not request.htmx:
        if error:
            messages.error(request, f"{code}: {error}")
        return redirect(
            "observations:entry", unit_id=unit.pk, set_code=family.code, period=parsed.code
        )
    try:
        page, row = selectors.entry_row(unit=unit, family=family, period=parsed, code=code)
    except KeyError as exc:
        raise Http404 from exc
    return render(
        request,
        "observations/entry.html#value-row",
        {
            "page": page,
            "unit": unit,
            "family": family,
            "row": row,
            "error": error,
            "typed": request.POST.get("value", "") if error else "",
            "can_edit": True,
            "oob": True,
        },
    )


def _value(request: HttpRequest, value_id: int, action: Action = Action.VIEW) -> DataValue:
    value = get_object_or_404(DataValue.objects.select_related("unit", "criteria_set"), pk=value_id)
    require(request.user, action, value.unit)
    return value


@login_required
@require_http_methods(["GET", "POST"])
def value_detail(request: HttpRequest, value_id: int) -> HttpResponse:
    value = _value(request, value_id)
    comment_form = (
        CommentForm(request.POST or None)
        if request.POST.get("form") == "comment"
        else CommentForm()
    )
    evidence_form = (
        EvidenceForm(request.POST or None, request.FILES or None)
        if request.POST.get("form") == "evidence"
        else EvidenceForm()
    )
    reason_form = (
        ReasonForm(request.POST or None) if request.POST.get("form") == "reopen" else ReasonForm()
    )
    if request.method == "POST":
        try:
            done = _value_action(request, value, comment_form, evidence_form, reason_form)
        except services.DataError as exc:
            messages.error(request, str(exc))
            done = False
        if done:
            return redirect("observations:value", value_id=value.pk)
    return render(
        request,
        "observations/value_detail.html",
        {
            "value": value,
            "history": value.history.select_related("history_user").order_by("-history_date")[:50],
            "evidence": value.evidence.select_related("uploaded_by"),
            "comments": value.comments.select_related("author"),
            "comment_form": comment_form,
            "evidence_form": evidence_form,
            "reason_form": reason_form,
            "can_edit": can(request.user, Action.EDIT_DATA, value.unit),
            "can_approve": can(request.user, Action.APPROVE_DATA, value.unit),
        },
    )


def _value_action(
    request: HttpRequest,
    value: DataValue,
    comment_form: CommentForm,
    evidence_form: EvidenceForm,
    reason_form: ReasonForm,
) -> bool:
    action = request.POST.get("form")
    if action == "comment" and comment_form.is_valid():
        services.comment_add(user=request.user, value=value, text=comment_form.cleaned_data["text"])
    elif action == "evidence" and evidence_form.is_valid():
        upload = evidence_form.cleaned_data["file"]
        if upload.size > services.MAX_EVIDENCE_BYTES:
            raise services.DataError(
                _("The file is larger than %(mb)d MB.")
                % {"mb": services.MAX_EVIDENCE_BYTES // 2**20}
            )
        services.evidence_add(
            user=request.user, value=value, name=upload.name, content=upload.read()
        )
    elif action == "submit":
        services.value_submit(user=request.user, value=value)
    elif action == "approve":
        services.value_approve(user=request.user, value=value)
    elif action == "reopen" and reason_form.is_valid():
        services.value_reopen(
            user=request.user, value=value, reason=reason_form.cleaned_data["reason"]
        )
    else:
        return False
    messages.success(request, _("Saved."))
    return True


@login_required
def evidence_download(request: HttpRequest, evidence_id: int) -> FileResponse:
    evidence = get_object_or_404(Evidence.objects.select_related("value__unit"), pk=evidence_id)
    if not can(request.user, Action.VIEW, evidence.value.unit):
        raise Http404
    if not evidence.file:
        raise PermissionDenied
    return FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
