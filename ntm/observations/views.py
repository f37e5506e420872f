import datetime as dt
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ntm.accounts.permissions import Action, can, require
from ntm.catalog.models import CriteriaSet
from ntm.catalog.selectors import families_for_unit
from ntm.core.refusals import refused as bounded
from ntm.core.tabular import ImportRefused
from ntm.evaluation import actions
from ntm.geo.models import AdminUnit
from ntm.observations import services
from ntm.observations.exporters import export_values
from ntm.observations.forms import (
    CommentForm,
    EvidenceForm,
    ExportForm,
    ImportForm,
    ReasonForm,
)
from ntm.observations.models import DataValue, Evidence


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
        actions.value_approve(user=request.user, value=value)
    elif action == "reopen" and reason_form.is_valid():
        actions.value_reopen(
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


PENDING_DIR = "imports"


PENDING_KEPT = dt.timedelta(days=1)


def _forget_old_previews(folder: Path) -> None:
    """Files checked but never confirmed are kept a day, then deleted (by the next upload)."""
    limit = time.time() - PENDING_KEPT.total_seconds()
    for old in folder.iterdir():
        try:
            if old.is_file() and old.stat().st_mtime < limit:
                old.unlink()
        except OSError:  # another upload removed it first
            continue


def _pending_path(token: str) -> Path:
    if not token.isalnum():
        raise Http404
    return Path(settings.MEDIA_ROOT) / PENDING_DIR / token


@login_required
@require_http_methods(["GET", "POST"])
def values_import(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Upload → preview of every change (nothing written) → confirm. Any bad row refuses all."""
    unit = get_object_or_404(AdminUnit, pk=unit_id)
    require(request.user, Action.EDIT_DATA, unit)
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"unit": unit, "form": form}
    if request.method == "POST" and request.POST.get("token"):
        token = request.POST["token"]
        path = _pending_path(token)
        owner = request.session.get(f"import-{token}")
        if owner is None or not path.exists():
            messages.error(request, _("The upload has expired; upload the file again."))
            return redirect("observations:import", unit_id=unit.pk)
        try:
            preview = actions.values_import(path.read_bytes(), user=request.user, filename=owner)
        except ImportRefused as exc:
            context["refused"] = bounded(request, exc.errors)
        else:
            path.unlink(missing_ok=True)
            request.session.pop(f"import-{token}", None)
            messages.success(request, preview.as_text().splitlines()[-1])
            return redirect("geo:detail", unit_id=unit.pk)
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            preview = actions.values_import(
                data, user=request.user, dry_run=True, filename=upload.name
            )
        except ImportRefused as exc:
            context["refused"] = bounded(request, exc.errors)
        else:
            token = secrets.token_hex(16)
            path = _pending_path(token)
            path.parent.mkdir(parents=True, exist_ok=True)
            _forget_old_previews(path.parent)
            path.write_bytes(data)
            request.session[f"import-{token}"] = upload.name
            context.update(preview=preview, token=token, filename=upload.name)
    return render(request, "observations/import.html", context)


@login_required
def values_export(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = get_object_or_404(AdminUnit, pk=unit_id)
    require(request.user, Action.VIEW, unit)
    sets = [
        (s.code, s.name) for level in ("commune", "village") for s in families_for_unit(unit, level)
    ]
    form = ExportForm(request.GET or None, sets=sets)
    if not request.GET or not form.is_valid():
        return render(request, "observations/export.html", {"unit": unit, "form": form})
    family = (
        CriteriaSet.objects.filter(code=form.cleaned_data["set"]).first()
        if form.cleaned_data["set"]
        else None
    )
    fmt = form.cleaned_data["format"]
    units = AdminUnit.objects.filter(path__startswith=unit.path)
    content = export_values(units=units, criteria_set=family, fmt=fmt)
    response = HttpResponse(
        content,
        content_type="text/csv; charset=utf-8"
        if fmt == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="ntm-{unit.code}{"-" + family.code if family else ""}.{fmt}"'
    )
    return response
