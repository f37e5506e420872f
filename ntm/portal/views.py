"""Public pages (no login) and the commune's moderation queue. Public views show only public
data; moderation pages are unit pages checked by the permission service."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ntm.accounts.permissions import Action, can
from ntm.catalog.models import CriteriaSet
from ntm.core.net import client_ip
from ntm.finance.models import Work
from ntm.geo.models import AdminUnit
from ntm.portal import selectors, services
from ntm.portal.charts import history_svg
from ntm.portal.forms import FeedbackForm, ModerationForm
from ntm.portal.models import Feedback, FeedbackStatus
from ntm.recognition.selectors import public_status


def _client_ip(request: HttpRequest) -> str:
    # X-Forwarded-For only as far as the trusted proxies (NTM_PROXY_COUNT) wrote it.
    return client_ip(request) or "unknown"


def _day(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _year(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and 2000 <= int(text) <= 2100 else None


def _unit_subjects(page: selectors.PublicUnitPage) -> list[tuple[str, str]]:
    """What a citizen may write about: the unit as a whole (always, so every public page has a
    working form), its issued plan, the works shown, its criteria."""
    subjects = [("unit", _("%(unit)s as a whole") % {"unit": page.unit.name})]
    if page.plan:
        subjects.append((f"plan:{page.plan.pk}", _("Plan %(year)s") % {"year": page.plan.year}))
    for w in page.works:
        subjects.append((f"work:{w.pk}", _("Work: %(name)s") % {"name": w.name}))
    for family, criteria in page.subject_criteria:
        for c in criteria:
            subjects.append(
                (
                    f"criterion:{family.pk}:{c.number}",
                    _("Criterion %(n)s: %(name)s") % {"n": c.number, "name": c.name},
                )
            )
    return subjects


def _unit_response(
    request: HttpRequest, code: str, form: FeedbackForm | None = None, status: int = 200
) -> HttpResponse:
    on = _day(request.GET.get("on"))
    unit = selectors.unit_by_code(code, on)
    page = selectors.unit_page(
        unit=unit, year=_year(request.GET.get("year")), language=translation.get_language() or "vi"
    )
    subjects = _unit_subjects(page)
    if form is None:
        form = FeedbackForm(subjects=subjects)
    charts = {
        s.family.pk: history_svg(s.history, title=_("Criteria met by period")) for s in page.sets
    }
    names: dict[tuple[int | None, int | None], str] = {
        (s.family.pk, c.number): c.name for s in page.sets for c in s.criteria
    }
    feedback = [(f, names.get((f.criteria_set_id, f.criterion_number), "")) for f in page.feedback]
    return render(
        request,
        "portal/unit.html",
        {
            "page": page,
            "unit": unit,
            "on": on,
            "charts": charts,
            "form": form,
            "feedback": feedback,
            "recognition": public_status(unit),
            "feedback_url": reverse("portal:unit_feedback", args=[code])
            + (f"?on={on.isoformat()}" if on else ""),
        },
        status=status,
    )


def unit(request: HttpRequest, code: str) -> HttpResponse:
    return _unit_response(request, code)


def _submit(
    request: HttpRequest, form: FeedbackForm, unit: AdminUnit, subject: dict[str, Any]
) -> int:
    """Validate and store; the HTTP status of a refusal (200 when stored)."""
    reason = form.spam_reason()
    if reason:
        form.is_valid()
        form.add_error(None, reason)
        return 400
    if not form.is_valid():
        return 400
    try:
        sent = services.feedback_submit(
            unit=unit,
            kind=form.cleaned_data["kind"],
            text=form.cleaned_data["text"],
            name=form.cleaned_data["name"],
            contact=form.cleaned_data["contact"],
            client_ip=_client_ip(request),
            nonce=form.nonce,
            **subject,
        )
    except services.FeedbackRefused as exc:
        form.add_error(None, str(exc))
        return 429
    if sent.unit_id != unit.pk:
        messages.success(
            request,
            _(
                "Thank you. %(old)s is now part of %(new)s: your message went to %(new)s, and "
                "will appear on its page once reviewed."
            )
            % {"old": unit.name, "new": sent.unit.name},
        )
    else:
        messages.success(
            request,
            _("Thank you. Your message will appear here once the commune has reviewed it."),
        )
    return 200


def _unit_subject(unit: AdminUnit, choice: str) -> dict[str, Any]:
    """The subject's objects from a choice the form already accepted (so it is one of the
    page's own subjects)."""
    kind, _sep, rest = choice.partition(":")
    if kind == "unit":
        return {}
    if kind == "plan":
        return {"plan": selectors.current_plan(unit)}
    if kind == "work":
        return {"work": Work.objects.get(pk=int(rest))}
    set_id, _sep, number = rest.partition(":")
    return {
        "criteria_set": CriteriaSet.objects.get(pk=int(set_id)),
        "criterion_number": int(number),
    }


@require_POST
def unit_feedback(request: HttpRequest, code: str) -> HttpResponse:
    on = _day(request.GET.get("on"))
    unit_obj = selectors.unit_by_code(code, on)
    page = selectors.unit_page(unit=unit_obj, language=translation.get_language() or "vi")
    form = FeedbackForm(request.POST, subjects=_unit_subjects(page))
    subject = form.data.get("subject", "")
    valid_subject = subject in form.subjects
    status = (
        _submit(request, form, unit_obj, _unit_subject(unit_obj, subject)) if valid_subject else 400
    )
    if status == 200:
        return redirect(request.get_full_path().replace("feedback/", "", 1))
    if not valid_subject:
        form.is_valid()
    return _unit_response(request, code, form, status)


def _public_work(work_id: int) -> Work:
    try:
        return selectors.public_work(work_id)
    except Work.DoesNotExist:
        raise Http404 from None


def _work_response(
    request: HttpRequest, work: Work, form: FeedbackForm | None = None, status: int = 200
) -> HttpResponse:
    page = selectors.work_page(work=work)
    return render(
        request,
        "portal/work.html",
        {
            "page": page,
            "work": work,
            "feedback": [(f, "") for f in page.feedback],
            "form": form or FeedbackForm(subjects=[(f"work:{work.pk}", work.name)]),
            "short_url": request.build_absolute_uri(reverse("portal:work", args=[work.pk])),
        },
        status=status,
    )


def work(request: HttpRequest, work_id: int) -> HttpResponse:
    return _work_response(request, _public_work(work_id))


@require_POST
def work_feedback(request: HttpRequest, work_id: int) -> HttpResponse:
    work_obj = _public_work(work_id)
    form = FeedbackForm(request.POST, subjects=[(f"work:{work_obj.pk}", work_obj.name)])
    status = _submit(request, form, work_obj.unit, {"work": work_obj})
    if status == 200:
        return redirect("portal:work", work_id=work_obj.pk)
    return _work_response(request, work_obj, form, status)


def work_photo(request: HttpRequest, work_id: int, update_id: int) -> FileResponse:
    update = selectors.public_photo(work_id=work_id, update_id=update_id)
    response = FileResponse(update.photo.open("rb"), content_type=update.photo_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=3600"
    return response


def work_sign(request: HttpRequest, work_id: int) -> HttpResponse:
    """A printable sheet for the signboard on site: the work and its short address."""
    # deferred: segno (~0.1 s) serves only the signboard sheet
    import segno

    work_obj = _public_work(work_id)
    short_url = request.build_absolute_uri(reverse("portal:work", args=[work_obj.pk]))
    # The QR code is drawn here as SVG (segno): nothing is fetched from elsewhere.
    qr = segno.make(short_url, error="m").svg_inline(scale=8, title=short_url)
    return render(
        request,
        "portal/work_sign.html",
        {"work": work_obj, "short_url": short_url, "qr": mark_safe(qr)},
    )


# Moderation (the commune's officials)


def _moderated_unit(request: HttpRequest, unit_id: int) -> AdminUnit:
    unit_obj = get_object_or_404(AdminUnit.objects.select_related("parent"), pk=unit_id)
    if services.can_moderate(request.user, unit_obj):
        return unit_obj
    if can(request.user, Action.VIEW, unit_obj):
        raise PermissionDenied
    raise Http404


@login_required
def moderation(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit_obj = _moderated_unit(request, unit_id)
    status = request.GET.get("status", FeedbackStatus.PENDING)
    if status not in FeedbackStatus.values:
        status = FeedbackStatus.PENDING
    counts = selectors.queue_counts(unit_obj)
    return render(
        request,
        "portal/moderation.html",
        {
            "unit": unit_obj,
            "status": status,
            "statuses": [(v, label, counts[v]) for v, label in FeedbackStatus.choices],
            "items": selectors.moderation_queue(unit=unit_obj, status=status),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def moderate(request: HttpRequest, unit_id: int, feedback_id: int) -> HttpResponse:
    unit_obj = _moderated_unit(request, unit_id)
    item = get_object_or_404(
        Feedback.objects.select_related("unit", "plan", "work", "criteria_set", "sent_to"),
        pk=feedback_id,
        unit__path__startswith=unit_obj.path,
    )
    initial = {
        "status": FeedbackStatus.PUBLISHED if item.status == "pending" else item.status,
        "answer": item.answer,
    }
    form = ModerationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_moderate(
                user=request.user,
                feedback=item,
                status=form.cleaned_data["status"],
                answer=form.cleaned_data["answer"],
            )
        except services.FeedbackRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("portal:moderation", unit_id=unit_obj.pk)
    return render(request, "portal/moderate.html", {"unit": unit_obj, "item": item, "form": form})
