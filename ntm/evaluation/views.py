from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from ntm.accounts.permissions import Action, can, is_system_admin, require
from ntm.catalog.models import CriteriaSet
from ntm.catalog.selectors import applicable_set, poverty_codes, standards
from ntm.core.http import HtmxHttpRequest
from ntm.engine.periods import Period, parse_period
from ntm.evaluation import actions, selectors
from ntm.evaluation.charts import criteria_bars_svg, trend_svg
from ntm.evaluation.models import Basis, basis_of
from ntm.geo.models import AdminUnit, Level
from ntm.observations import services
from ntm.observations.forms import ValueForm


def _unit_and_set(
    request: HttpRequest, unit_id: int, set_code: str
) -> tuple[AdminUnit, CriteriaSet]:
    unit = get_object_or_404(AdminUnit.objects.select_related("parent"), pk=unit_id)
    require(request.user, Action.VIEW, unit)
    family = get_object_or_404(CriteriaSet, code=set_code, localises__isnull=True)
    return unit, family


def _period_asked(request: HttpRequest) -> Period | None:
    """The period of ``?period=``, written as people write it ("Quý I/2024"); a text that is
    not a period says so on the page (instead of silently showing the latest)."""
    text = (request.GET.get("period") or "").strip()
    period = selectors.parse_period_or_none(text)
    if text and period is None:
        messages.error(
            request,
            _("“%(period)s” is not a period (2024, 2024H1, 2024Q1).") % {"period": text},
        )
    return period


@login_required
def set_result(request: HttpRequest, unit_id: int, set_code: str) -> HttpResponse:
    unit, family = _unit_and_set(request, unit_id, set_code)
    period = _period_asked(request)
    # The commune's own page counts every value (its working figures) unless asked otherwise,
    # and shows the approved count beside it.
    basis = basis_of(request.GET.get("basis"))
    page = selectors.set_page(unit=unit, family=family, period=period, basis=basis, both=True)
    villages: list[selectors.SubunitRow] = []
    village_family = None
    if unit.level == Level.COMMUNE:
        village_sets = [f for f, _r in selectors.sets_for_unit_level(unit, "village")]
        if village_sets:
            village_family = village_sets[0]
            villages = selectors.subunit_results(
                parent=unit, family=village_family, period=period, level=Level.VILLAGE
            )
    return render(
        request,
        "evaluation/set_result.html",
        {
            "page": page,
            "unit": unit,
            "family": family,
            "villages": villages,
            "village_family": village_family,
            "can_edit": can(request.user, Action.EDIT_DATA, unit),
            "period_query": f"period={period.code}" if period else "",
        },
    )


@login_required
def criterion_detail(
    request: HttpRequest, unit_id: int, set_code: str, number: int
) -> HttpResponse:
    unit, family = _unit_and_set(request, unit_id, set_code)
    period = _period_asked(request)
    basis = basis_of(request.GET.get("basis"))
    page = selectors.set_page(unit=unit, family=family, period=period, basis=basis)
    row = next((r for r in page.rows if r.criterion.number == number), None)
    if row is None:
        raise Http404
    history = selectors.criterion_history(
        unit=unit,
        family=family,
        number=number,
        measured=poverty_codes(page.applied),
        dated=standards(),
        basis=basis,
    )
    trends = {
        code: trend_svg(points, title=_("%(code)s across periods") % {"code": code})
        for code, points in history.items()
    }
    names = (
        selectors.element_names(page.applied)
        if any(i.indicator.formula for i in row.indicators)
        else {}
    )
    formulas = {
        i.indicator.code: selectors.formula_in_words(i.indicator.formula, names)
        for i in row.indicators
    }
    return render(
        request,
        "evaluation/criterion_detail.html",
        {
            "page": page,
            "unit": unit,
            "family": family,
            "row": row,
            "history": history,
            "trends": trends,
            "formulas": formulas,
        },
    )


@login_required
def subunits(request: HttpRequest, unit_id: int, set_code: str) -> HttpResponse:
    """A province's (or district's) communes with their counts for a set."""
    unit, family = _unit_and_set(request, unit_id, set_code)
    if unit.level >= Level.COMMUNE and family.level == "commune":
        raise Http404
    period = _period_asked(request)
    level = Level.VILLAGE if family.level == "village" else Level.COMMUNE
    number = _page_number(request)
    sort = request.GET.get("sort", "name")
    sort = sort if sort in selectors.SORTS else "name"
    status = request.GET.get("status", "")
    status = status if status in STATUS_FILTERS else ""
    # A province's tables count approved figures; the working count is one click away.
    basis = basis_of(request.GET.get("basis"), Basis.APPROVED)
    page = selectors.area_page(
        parent=unit,
        family=family,
        period=period,
        level=level,
        offset=(number - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
        sort=sort,
        status=status,
        basis=basis,
    )
    pages = max(1, -(-page.total // PAGE_SIZE))
    names = selectors.criterion_names(applicable_set(family, unit))
    rollup = page.rollup
    return render(
        request,
        "evaluation/subunits.html",
        {
            "unit": unit,
            "family": family,
            "page": page,
            "period": period,
            "number": number,
            "pages": pages,
            "summary": page.summary,
            "rollup": [(n, names.get(n, ""), c) for n, c in rollup.items()],
            "chart": criteria_bars_svg(
                rollup, names, title=_("Units by status, criterion by criterion")
            ),
            "sort": sort,
            "status": status,
            "statuses": [(k, v) for k, v in STATUS_FILTERS.items()],
            "query": _query(period, sort, status, basis),
            "basis": basis,
            "basis_query": _query(period, sort, status),
        },
    )


STATUS_FILTERS = {
    "met": gettext_lazy("meet the whole set"),
    "not_met": gettext_lazy("do not meet it"),
    "none": gettext_lazy("no result"),
}


def _query(period: Period | None, sort: str, status: str, basis: str = Basis.APPROVED) -> str:
    """The page's filters for its own links (pager, sort), without the page number."""
    parts = [("period", period.code if period else ""), ("sort", sort if sort != "name" else "")]
    parts.append(("status", status))
    parts.append(("basis", basis if basis != Basis.APPROVED else ""))
    return "&".join(f"{k}={v}" for k, v in parts if v)


PAGE_SIZE = 100


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


@login_required
def pipeline(request: HttpRequest) -> HttpResponse:
    """Results waiting for the workers (after a set changed or a national `evaluate --queue`);
    the page polls itself while anything is waiting. System administrators only."""
    if not is_system_admin(request.user):
        raise PermissionDenied
    pending = selectors.pipeline_status()
    template = (
        "evaluation/pipeline.html#status"
        if getattr(request, "htmx", False)
        else "evaluation/pipeline.html"
    )
    return render(request, template, {"pending": pending})


def _entry_context(
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
    unit, family, parsed = _entry_context(request, unit_id, set_code, period)
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
            return redirect("evaluation:entry", unit_id=unit.pk, set_code=family.code, period=other)
    page = selectors.entry_page(unit=unit, family=family, period=parsed)
    return render(
        request,
        "evaluation/entry.html",
        {
            "page": page,
            "unit": unit,
            "family": family,
            "can_edit": can(request.user, Action.EDIT_DATA, unit),
            "can_approve": can(request.user, Action.APPROVE_DATA, unit),
        },
    )


@login_required
@require_POST
def approval(request: HttpRequest, unit_id: int, set_code: str, period: str) -> HttpResponse:
    """A whole period at once: the commune submits its drafts, the approver approves what was
    submitted (``do=submit`` / ``do=approve``)."""
    unit, family, parsed = _entry_context(request, unit_id, set_code, period)
    step = request.POST.get("do")
    try:
        if step == "submit":
            batch = services.values_submit(
                user=request.user, unit=unit, criteria_set=family, period=parsed.code
            )
            message = _("%(n)d values submitted for approval.") % {"n": batch.done}
        elif step == "approve":
            batch = actions.values_approve(
                user=request.user, unit=unit, criteria_set=family, period=parsed.code
            )
            message = _("%(n)d values approved: they now count in public.") % {"n": batch.done}
        else:
            raise Http404
    except services.DataError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, message)
        if batch.skipped:
            messages.warning(
                request,
                _("%(n)d drafts of fields you do not answer for were left as they are.")
                % {"n": batch.skipped},
            )
    return redirect("evaluation:entry", unit_id=unit.pk, set_code=family.code, period=parsed.code)


@login_required
@require_http_methods(["GET", "POST"])
def derive(request: HttpRequest, unit_id: int, set_code: str, period: str) -> HttpResponse:
    """A merged commune's values for the period from its predecessors': the preview (what each
    rule gives, what is kept), then on confirmation the derived values are stored."""
    unit, family, parsed = _entry_context(request, unit_id, set_code, period, Action.EDIT_DATA)
    try:
        rows = actions.values_derive(
            user=request.user,
            unit=unit,
            criteria_set=family,
            period=parsed.code,
            dry_run=request.method != "POST",
        )
    except services.DataError as exc:
        messages.error(request, str(exc))
        return redirect(
            "evaluation:entry", unit_id=unit.pk, set_code=family.code, period=parsed.code
        )
    if request.method == "POST":
        stored = sum(1 for r in rows if r.status in {"new", "replaces"})
        messages.success(
            request, _("%(n)d values derived from the communes before the merger.") % {"n": stored}
        )
        return redirect(
            "evaluation:entry", unit_id=unit.pk, set_code=family.code, period=parsed.code
        )
    return render(
        request,
        "evaluation/derive.html",
        {
            "unit": unit,
            "family": family,
            "period": parsed,
            "rows": rows,
            "to_store": [r for r in rows if r.status in {"new", "replaces"}],
        },
    )


@login_required
@require_POST
def value_save(
    request: HtmxHttpRequest, unit_id: int, set_code: str, period: str, code: str
) -> HttpResponse:
    unit, family, parsed = _entry_context(request, unit_id, set_code, period, Action.EDIT_DATA)
    form = ValueForm(request.POST)
    error = ""
    conflict: services.StaleValue | None = None
    if form.is_valid():
        try:
            actions.value_record(
                user=request.user,
                unit=unit,
                criteria_set=family,
                code=code,
                period=parsed.code,
                value=form.cleaned_data["value"],
                note=form.cleaned_data["note"],
                # The version the page showed (absent from forms of older pages: no check).
                based_on=request.POST.get("based_on"),
            )
        except services.StaleValue as exc:
            error, conflict = str(exc), exc
        except services.DataError as exc:
            error = str(exc)
    else:
        error = _("Enter a value.")
    if not request.htmx:
        if error:
            messages.error(request, f"{code}: {error}")
        return redirect(
            "evaluation:entry", unit_id=unit.pk, set_code=family.code, period=parsed.code
        )
    try:
        page, row = selectors.entry_row(unit=unit, family=family, period=parsed, code=code)
    except KeyError as exc:
        raise Http404 from exc
    return render(
        request,
        "evaluation/entry.html#value-row",
        {
            "page": page,
            "unit": unit,
            "family": family,
            "row": row,
            "error": error,
            # On a conflict the field shows the value as it is now; the person's own is offered.
            "typed": request.POST.get("value", "") if error and conflict is None else "",
            "mine": request.POST.get("value", "") if conflict is not None else "",
            "can_edit": True,
            "oob": True,
        },
    )
