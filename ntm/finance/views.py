"""Funding pages. Each view: unit from the URL with its permission, objects only inside that unit's
subtree (an id from elsewhere is a 404), a form, one service or selector, a template."""

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ntm.accounts.permissions import Action, can, require, unit_or_404
from ntm.core.refusals import Refused
from ntm.core.refusals import refused as bounded
from ntm.core.tabular import ImportRefused
from ntm.core.versions import StaleEdit, check_version
from ntm.finance import selectors, services, tables
from ntm.finance.forms import (
    AllocationForm,
    BudgetForm,
    ContributionForm,
    DisbursementForm,
    ImportForm,
    RateForm,
    WorkForm,
    WorkProgressForm,
)
from ntm.finance.models import RateKind, Work, WorkProgress
from ntm.geo.models import AdminUnit, Level
from ntm.geo.selectors import in_subtrees, successor_in_force


def _unit(request: HttpRequest, unit_id: int, action: Action = Action.VIEW) -> AdminUnit:
    return unit_or_404(request.user, unit_id, action)


def _year(year: int) -> int:
    if not 2000 <= year <= 2100:
        raise Http404
    return year


def _work(request: HttpRequest, unit_id: int, work_id: int, action: Action = Action.VIEW) -> Work:
    """The work only when it lies in the URL's unit subtree; the permission is judged on the
    work's own unit (a commune page may open a village's work)."""
    unit = _unit(request, unit_id)
    work = get_object_or_404(
        Work.objects.select_related("unit", "unit__parent", "feeds_set", "transferred_from"),
        pk=work_id,
        unit__path__startswith=unit.path,
    )
    require(request.user, action, work.unit)
    return work


def _feed_messages(request: HttpRequest, results: list[services.FeedResult]) -> None:
    """What happened to the values the work feeds: a refusal or an unfinished work is a warning
    (the work itself was saved all the same)."""
    for result in results:
        if result.ok and not result.unfinished:
            messages.info(request, result.message)
        else:
            messages.warning(request, result.message)


def _form_errors(form: forms.BaseForm, exc: services.FinanceError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc))


def _context(request: HttpRequest, unit: AdminUnit, year: int, **extra: Any) -> dict[str, Any]:
    return {
        "unit": unit,
        "year": year,
        "can_edit": can(request.user, Action.EDIT_DATA, unit),
        "can_manage": unit.level == Level.COMMUNE and can(request.user, Action.MANAGE_PLAN, unit),
        **extra,
    }


@login_required
def index(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _unit(request, unit_id)
    years = selectors.years_with_data(unit)
    return redirect(
        "finance:overview", unit_id=unit.pk, year=years[0] if years else timezone.localdate().year
    )


@login_required
def overview(request: HttpRequest, unit_id: int, year: int) -> HttpResponse:
    unit = _unit(request, unit_id)
    year = _year(year)
    table = selectors.mobilisation(unit=unit, year=year)
    # A province or district sees its communes side by side instead of every single work.
    above_commune = unit.level < Level.COMMUNE
    works = [] if above_commune else selectors.works_summary(unit=unit, year=year)
    communes = selectors.commune_breakdown(unit=unit, year=year) if above_commune else None
    return render(
        request,
        "finance/overview.html",
        _context(
            request,
            unit,
            year,
            table=table,
            works=works,
            communes=communes,
            balances=selectors.balances(unit=unit, year=year),
            years=selectors.years_with_data(unit),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def work_add(request: HttpRequest, unit_id: int, year: int) -> HttpResponse:
    unit = _unit(request, unit_id, Action.EDIT_DATA)
    year = _year(year)
    form = WorkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        fed: list[services.FeedResult] = []
        try:
            work = services.work_create(
                user=request.user,
                unit=unit,
                year=year,
                kind=data.pop("kind"),
                name=data.pop("name"),
                feed=fed,
                **data,
            )
        except services.FinanceError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Work added. Now enter its planned budget."))
            _feed_messages(request, fed)
            return redirect("finance:work_edit", unit_id=work.unit_id, work_id=work.pk)
    return render(
        request,
        "finance/form.html",
        _context(request, unit, year, form=form, title=_("Add a work")),
    )


@login_required
def work_detail(request: HttpRequest, unit_id: int, work_id: int) -> HttpResponse:
    return _work_page(request, unit_id, work_id, WorkProgressForm(initial=_today()))


def _today() -> dict[str, Any]:
    return {"date": timezone.localdate()}


def _work_page(
    request: HttpRequest, unit_id: int, work_id: int, form: forms.Form, status: int = 200
) -> HttpResponse:
    work = _work(request, unit_id, work_id)
    row = selectors.works_summary(unit=work.books_unit, year=work.year, work_ids=[work.pk])[0]
    return render(
        request,
        "finance/work_detail.html",
        _context(
            request,
            work.unit,
            work.year,
            work=work,
            row=row,
            form=form,
            updates=list(work.updates.select_related("created_by").order_by("-date", "-pk")),
            disbursements=list(work.disbursements.order_by("-date", "-pk")),
            can_disburse=can(request.user, Action.APPROVE_DATA, work.unit),
            can_feed=work.feeds_set_id is not None
            and work.status == Work.Status.DONE
            and can(request.user, Action.EDIT_DATA, services.commune_of(work.unit)),
        ),
        status=status,
    )


@login_required
@require_http_methods(["POST"])
def work_progress(request: HttpRequest, unit_id: int, work_id: int) -> HttpResponse:
    work = _work(request, unit_id, work_id, Action.EDIT_DATA)
    form = WorkProgressForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["photo"]
        fed: list[services.FeedResult] = []
        try:
            services.work_progress_add(
                user=request.user,
                work=work,
                date=form.cleaned_data["date"],
                percent=form.cleaned_data["percent"],
                note=form.cleaned_data["note"],
                photo_name=upload.name if upload else "",
                photo=upload.read() if upload else None,
                photo_stage=form.cleaned_data["photo_stage"] or WorkProgress.Stage.AFTER,
                feed=fed,
            )
        except services.FinanceError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Progress recorded."))
            _feed_messages(request, fed)
            return redirect("finance:work", unit_id=work.unit_id, work_id=work.pk)
    return _work_page(request, unit_id, work_id, form, status=400)


@login_required
@require_http_methods(["POST"])
def work_feed(request: HttpRequest, unit_id: int, work_id: int) -> HttpResponse:
    """Record again the value a finished work feeds (for a commune official)."""
    work = _work(request, unit_id, work_id)
    try:
        fed = services.work_feed_refresh(user=request.user, work=work)
    except services.FinanceError as exc:
        messages.warning(request, str(exc))
    else:
        _feed_messages(request, fed)
    return redirect("finance:work", unit_id=work.unit_id, work_id=work.pk)


@login_required
def work_photo(request: HttpRequest, unit_id: int, work_id: int, update_id: int) -> FileResponse:
    work = _work(request, unit_id, work_id)
    update = get_object_or_404(WorkProgress, pk=update_id, work=work)
    if not update.photo:
        raise Http404
    response = FileResponse(update.photo.open("rb"), content_type=update.photo_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def work_edit(request: HttpRequest, unit_id: int, work_id: int) -> HttpResponse:
    work = _work(request, unit_id, work_id, Action.EDIT_DATA)
    lines = {
        b.source: b.quantity if b.quantity is not None else b.amount
        for b in work.budget_lines.all()
    }
    post = request.POST if request.method == "POST" else None
    form = WorkForm(post, instance=work, prefix="work")
    budget = BudgetForm(post, prefix="budget", initial={k: _grouped(v) for k, v in lines.items()})
    if post is not None and form.is_valid() and budget.is_valid():
        fed: list[services.FeedResult] = []
        try:
            with transaction.atomic():
                check_version(work, form.read_version, parts=form.version)
                services.work_update(user=request.user, work=work, feed=fed, **form.cleaned_data)
                services.work_budget_set(user=request.user, work=work, lines=budget.cleaned_data)
        except StaleEdit as exc:
            form.refuse_stale(exc)
            work.refresh_from_db()
        except services.FinanceError as exc:
            _form_errors(budget if exc.field in budget.fields else form, exc)
            work.refresh_from_db()
        else:
            messages.success(request, _("Work saved."))
            _feed_messages(request, fed)
            return redirect("finance:work", unit_id=work.unit_id, work_id=work.pk)
    return render(
        request,
        "finance/work_edit.html",
        _context(request, work.unit, work.year, work=work, form=form, budget=budget),
    )


def _grouped(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return f"{int(value):,}".replace(",", ".")
    return str(value).replace(".", ",")


@login_required
@require_http_methods(["GET", "POST"])
def disbursement_add(request: HttpRequest, unit_id: int, work_id: int) -> HttpResponse:
    work = _work(request, unit_id, work_id, Action.APPROVE_DATA)
    form = DisbursementForm(request.POST or None, initial=_today())
    if request.method == "POST" and form.is_valid():
        try:
            services.disbursement_add(user=request.user, work=work, **form.cleaned_data)
        except services.FinanceError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Disbursement recorded."))
            return redirect("finance:work", unit_id=work.unit_id, work_id=work.pk)
    return render(
        request,
        "finance/form.html",
        _context(
            request,
            work.unit,
            work.year,
            work=work,
            form=form,
            title=_("Record a disbursement: %(work)s") % {"work": work.name},
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def contributions(request: HttpRequest, unit_id: int, year: int) -> HttpResponse:
    unit = _unit(request, unit_id)
    year = _year(year)
    form = ContributionForm(request.POST or None, unit=unit, year=year)
    if request.method == "POST":
        require(request.user, Action.EDIT_DATA, unit)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                services.contribution_add(user=request.user, unit=unit, **data)
            except services.FinanceError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Contribution recorded."))
                return redirect("finance:contributions", unit_id=unit.pk, year=year)
    return render(
        request,
        "finance/contributions.html",
        _context(
            request,
            unit,
            year,
            form=form,
            rows=selectors.contributions_of(
                unit=unit,
                year=year,
                private_names=can(request.user, Action.SEE_PRIVATE_NAMES, unit),
            ),
            rates=selectors.rates_of(unit=unit, year=year) if unit.level >= Level.COMMUNE else {},
        ),
    )


@login_required
def public_board(request: HttpRequest, unit_id: int, year: int) -> HttpResponse:
    unit = _unit(request, unit_id)
    year = _year(year)
    return render(
        request,
        "finance/public.html",
        _context(
            request,
            unit,
            year,
            board=selectors.public_contributions(unit, year),
            table=selectors.mobilisation(unit=unit, year=year),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def allocations(request: HttpRequest, unit_id: int, year: int) -> HttpResponse:
    unit = _unit(request, unit_id)
    year = _year(year)
    form = None
    if unit.level == Level.COMMUNE:
        form = AllocationForm(request.POST or None, commune=unit, initial=_today())
    if request.method == "POST":
        require(request.user, Action.MANAGE_PLAN, unit)
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                services.allocation_add(
                    user=request.user, commune=unit, year=year, **form.cleaned_data
                )
            except services.FinanceError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Allocation recorded."))
                return redirect("finance:allocations", unit_id=unit.pk, year=year)
    return render(
        request,
        "finance/allocations.html",
        _context(
            request,
            unit,
            year,
            form=form,
            rows=selectors.allocations_of(unit=unit, year=year),
            villages=selectors.village_balances(unit=unit, year=year),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def rates(request: HttpRequest, unit_id: int, year: int) -> HttpResponse:
    unit = _unit(request, unit_id)
    year = _year(year)
    if unit.level != Level.COMMUNE:
        raise Http404
    form = RateForm(request.POST or None)
    if request.method == "POST":
        require(request.user, Action.MANAGE_PLAN, unit)
        if form.is_valid():
            try:
                services.rate_set(user=request.user, unit=unit, year=year, **form.cleaned_data)
            except services.FinanceError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Rate saved; the year's contributions are revalued."))
                return redirect("finance:rates", unit_id=unit.pk, year=year)
    current = selectors.rates_of(unit=unit, year=year)
    return render(
        request,
        "finance/rates.html",
        _context(
            request,
            unit,
            year,
            form=form,
            rates=[(kind, current.get(kind)) for kind in RateKind],
        ),
    )


KINDS = {"contributions": "contributions", "works": "works"}


@login_required
def export(request: HttpRequest, unit_id: int, year: int, what: str, fmt: str) -> HttpResponse:
    unit = _unit(request, unit_id)
    year = _year(year)
    if what not in KINDS or fmt not in {"csv", "xlsx"}:
        raise Http404
    rows = (
        tables.contribution_rows(
            unit=unit, year=year, private_names=can(request.user, Action.SEE_PRIVATE_NAMES, unit)
        )
        if what == "contributions"
        else tables.work_rows(unit=unit, year=year)
    )
    data = tables.render(*rows, fmt=fmt, sheet=what)
    content_type = (
        "text/csv; charset=utf-8"
        if fmt == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{what}-{unit.code}-{year}.{fmt}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_file(request: HttpRequest, unit_id: int, year: int, what: str) -> HttpResponse:
    unit = _unit(request, unit_id, Action.EDIT_DATA)
    year = _year(year)
    if what not in KINDS:
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: Refused | None = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        importer = tables.import_contributions if what == "contributions" else tables.import_works
        try:
            saved = importer(
                user=request.user, unit=unit, source=upload.read(), filename=upload.name
            )
        except ImportRefused as exc:
            errors = bounded(request, exc.errors)
        else:
            messages.success(request, _("%(n)d rows imported.") % {"n": len(saved)})
            target = "finance:contributions" if what == "contributions" else "finance:overview"
            return redirect(target, unit_id=unit.pk, year=year)
    columns = tables.CONTRIBUTION_COLUMNS if what == "contributions" else tables.WORK_COLUMNS
    return render(
        request,
        "finance/import.html",
        _context(
            request,
            unit,
            year,
            form=form,
            refused=errors,
            what=what,
            columns=list(columns),
        ),
        status=400 if errors else 200,
    )


@login_required
@require_http_methods(["POST"])
def work_transfer(request: HttpRequest, unit_id: int, work_id: int) -> HttpResponse:
    """The commune of the URL takes over an unfinished work of a unit merged into it: to the
    village that continues the work's village under it, else to the commune itself."""
    target = unit_or_404(request.user, unit_id, Action.EDIT_DATA)
    predecessors = [s.predecessor for s in target.successions_in.select_related("predecessor")]
    work = get_object_or_404(
        Work.objects.select_related("unit").filter(in_subtrees(predecessors)), pk=work_id
    )
    to = successor_in_force(work.unit, timezone.localdate())
    if to is None or not to.is_in_subtree_of(target):
        to = target
    try:
        services.work_transfer(user=request.user, work=work, to=to)
    except services.FinanceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("%(work)s now belongs to %(unit)s, with its progress and photos.")
            % {"work": work.name, "unit": to.name},
        )
    return redirect("geo:detail", unit_id=target.pk)
