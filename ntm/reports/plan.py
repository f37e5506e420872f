"""The plan document (KẾ HOẠCH) of a commune or village, generated from its ``Plan``.

It follows the structure of the reference plan (Dương Đức 2024): header, "KẾ HOẠCH" and the
title, the "Căn cứ…" lines, I. purposes and requirements, II. targets, III. tasks and solutions by
solution area with responsible bodies and deadlines, IV. organisation of the implementation
(derived from the bodies and officials the tasks name), a closing sentence, then "Nơi nhận" and the
signature. The tasks table comes as an appendix ("Phụ lục"), which is what the XLSX carries.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ntm.catalog.models import CriteriaSet
from ntm.engine.periods import Period
from ntm.geo.models import AdminUnit, Level
from ntm.planning.models import Plan, Task
from ntm.reports.common import ReportError, committee_signature, data_version, header_for
from ntm.reports.document import (
    Block,
    Column,
    Document,
    Header,
    Heading,
    Paragraph,
    Signature,
    Table,
)
from ntm.reports.render import render

FORMATS = ("docx", "xlsx", "pdf")

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")

# "Phó Chủ tịch Nguyễn Đức Khiêm": the positions a signer line may start with, longest first.
_POSITIONS = (
    ("phó chủ tịch", "vice_chair"),
    ("chủ tịch", "chair"),
    ("phó trưởng ban", "deputy_head"),
    ("trưởng ban", "head"),
    ("trưởng thôn", "head"),
)


@dataclass(frozen=True)
class TargetLine:
    title: str
    deadline: dt.date


@dataclass(frozen=True)
class TaskLine:
    number: int  # its number in the appendix
    area: str
    description: str
    organisations: list[str]  # translated labels of the responsible bodies
    person: str  # responsible official or person ("" when none)
    criteria: list[int]
    start: dt.date | None
    deadline: dt.date


@dataclass(frozen=True)
class AreaSection:
    name: str
    tasks: list[TaskLine]


@dataclass(frozen=True)
class Responsibility:
    """One body (or official) of section IV and the appendix numbers of its tasks."""

    body: str
    task_numbers: list[int]
    areas: list[str]
    first_deadline: dt.date
    last_deadline: dt.date


@dataclass
class PlanData:
    unit_name: str
    is_village: bool
    year: int
    header: Header
    title: str  # the subtitle under "KẾ HOẠCH" ("Triển khai thực hiện …")
    issuer: str  # "UBND xã Dương Đức"
    legal_basis: list[str]
    purposes: list[str]
    requirements: list[str]
    targets: list[TargetLine]
    areas: list[AreaSection]
    bodies: list[Responsibility]
    officials: list[Responsibility]
    recipients: list[str]
    signature: Signature
    is_draft: bool
    read_at: dt.datetime
    data_version: str
    filename: str
    tasks: list[TaskLine] = field(default_factory=list)


def lines(text: str) -> list[str]:
    """Non-empty lines of a text field, without list dashes or bullets typed by people."""
    found = []
    for raw in text.splitlines():
        line = re.sub(r"^\s*[-–•*+]\s*", "", raw).strip()
        if line:
            found.append(line)
    return found


def signature_for(unit: AdminUnit, signer: str = "") -> Signature:
    """The signature block from a plan's "signed by" text.

    "KT. Chủ tịch — Phó Chủ tịch Nguyễn Đức Khiêm" gives TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH /
    PHÓ CHỦ TỊCH / Nguyễn Đức Khiêm; "Chủ tịch Nguyễn Văn A" the chair signing himself; a bare
    name the usual deputy's block; nothing leaves the name blank for the signer to write. A
    village's plan is signed for its development board."""
    text = " ".join(signer.split())
    parts = [p.strip() for p in re.split(r"\s+[—–-]\s+|\s*[—–]\s*", text) if p.strip()]
    last = parts[-1] if parts else ""
    position, name = "", last
    folded = last.lower()
    for prefix, code in _POSITIONS:
        if folded.startswith(prefix + " ") or folded == prefix:
            position, name = code, last[len(prefix) :].strip()
            break
    if unit.level == Level.VILLAGE:
        return Signature(
            on_behalf=_("ON BEHALF OF THE VILLAGE DEVELOPMENT BOARD"),
            authority=_("FOR THE HEAD") if position == "deputy_head" else "",
            position=_("DEPUTY HEAD") if position == "deputy_head" else _("HEAD"),
            name=name,
        )
    return committee_signature(name, deputy=position != "chair")


def blank_number(kind: str, unit: AdminUnit) -> str:
    """The number line of a document still to be numbered when signed: "Số:       /KH-UBND" (a
    village board's documents carry the bare kind)."""
    suffix = kind if unit.level == Level.VILLAGE else f"{kind}-UBND"
    return f"Số:       /{suffix}"


def _person(task: Task) -> str:
    if task.responsible_user is not None:
        return str(task.responsible_user)
    return task.responsible_person


def _subtitle(title: str) -> str:
    """ "Kế hoạch triển khai …" → "Triển khai …" (the document's title already says KẾ HOẠCH)."""
    rest = re.sub(r"(?i)^\s*kế hoạch\s+", "", title).strip()
    return rest[:1].upper() + rest[1:] if rest else title.strip()


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def _responsibilities(tasks: list[TaskLine], key: str) -> list[Responsibility]:
    grouped: dict[str, list[TaskLine]] = {}
    for task in tasks:
        names = task.organisations if key == "organisations" else [task.person]
        for name in names:
            if name:
                grouped.setdefault(name, []).append(task)
    found = []
    for body, own in grouped.items():
        areas: list[str] = []
        for t in own:
            if t.area not in areas:
                areas.append(t.area)
        found.append(
            Responsibility(
                body=body,
                task_numbers=[t.number for t in own],
                areas=areas,
                first_deadline=min(t.deadline for t in own),
                last_deadline=max(t.deadline for t in own),
            )
        )
    return found


def data_for_plan(plan: Plan) -> PlanData:
    """Everything the document shows, read in a fixed number of queries."""
    unit = plan.unit
    organisation_labels = dict(Task.Organisation.choices)
    task_rows = list(
        plan.tasks.exclude(status=Task.Status.CANCELLED)
        .select_related("area", "responsible_user")
        .order_by("area__position", "deadline", "pk")
    )
    tasks = [
        TaskLine(
            number=i,
            area=t.area.name,
            description=t.description,
            organisations=[str(organisation_labels[o]) for o in t.organisations],
            person=_person(t),
            criteria=list(t.criteria),
            start=t.start,
            deadline=t.deadline,
        )
        for i, t in enumerate(task_rows, start=1)
    ]
    areas: dict[str, list[TaskLine]] = {}
    for task in tasks:
        areas.setdefault(task.area, []).append(task)
    # Section IV lists the bodies in the order of the organisation choices.
    order = {str(label): i for i, (_code, label) in enumerate(Task.Organisation.choices)}
    bodies = sorted(_responsibilities(tasks, "organisations"), key=lambda r: order[r.body])
    number = plan.number.strip()
    return PlanData(
        unit_name=unit.name,
        is_village=unit.level == Level.VILLAGE,
        year=plan.year,
        header=header_for(
            unit,
            number=number or blank_number("KH", unit),
            on=plan.issued_on,
        ),
        title=_subtitle(plan.title),
        issuer=plan.issuer.strip() or "UBND " + unit.name,
        legal_basis=lines(plan.legal_basis),
        purposes=lines(plan.purposes),
        requirements=lines(plan.requirements),
        targets=[TargetLine(t.title, t.deadline) for t in plan.targets.order_by("position", "pk")],
        areas=[AreaSection(name, own) for name, own in areas.items()],
        bodies=bodies,
        officials=_responsibilities(tasks, "person"),
        recipients=lines(plan.recipients),
        signature=signature_for(unit, plan.signer),
        is_draft=plan.status == Plan.Status.DRAFT,
        read_at=timezone.now(),
        data_version=data_version(unit),
        filename=f"ke-hoach-{unit.code}-{plan.year}",
        tasks=tasks,
    )


def data_for(*, unit: AdminUnit, period: Period, family: CriteriaSet | None = None) -> PlanData:
    """The plan of ``period``'s year for the unit (the set plays no part in a plan)."""
    plan = Plan.objects.select_related("unit").filter(unit=unit, year=period.year).first()
    if plan is None:
        raise ReportError(
            _("%(unit)s has no plan for %(year)s.") % {"unit": unit.name, "year": period.year}
        )
    return data_for_plan(plan)


def _day(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _numbers(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers)


def document_for(data: PlanData) -> Document:
    blocks: list[Block] = []
    for basis in data.legal_basis:
        blocks.append(Paragraph(basis, italic=True))
    what = _lower_first(data.title)
    blocks.append(
        Paragraph(
            _("%(issuer)s issues the plan: %(what)s, as follows:")
            % {"issuer": data.issuer, "what": what}
        )
    )

    # I. Purposes and requirements
    blocks.append(Heading(f"{ROMAN[0]}. " + _("PURPOSES AND REQUIREMENTS"), level=1))
    blocks.append(Heading("1. " + _("Purposes"), level=2))
    blocks.extend(Paragraph("- " + line) for line in data.purposes)
    if not data.purposes:
        blocks.append(Paragraph(_("(none stated)"), italic=True))
    blocks.append(Heading("2. " + _("Requirements"), level=2))
    blocks.extend(Paragraph("- " + line) for line in data.requirements)
    if not data.requirements:
        blocks.append(Paragraph(_("(none stated)"), italic=True))

    # II. Targets
    blocks.append(Heading(f"{ROMAN[1]}. " + _("TARGETS"), level=1))
    year_end = dt.date(data.year, 12, 31)
    for i, target in enumerate(data.targets, start=1):
        text = f"{i}. {target.title}"
        if target.deadline != year_end:
            text += " (" + _("by %(date)s") % {"date": _day(target.deadline)} + ")"
        blocks.append(Paragraph(text))
    if not data.targets:
        blocks.append(Paragraph(_("(no targets entered yet)"), italic=True))

    # III. Tasks and solutions, by solution area
    blocks.append(Heading(f"{ROMAN[2]}. " + _("TASKS AND SOLUTIONS"), level=1))
    for i, area in enumerate(data.areas, start=1):
        blocks.append(Heading(f"{i}. {area.name}", level=2))
        for task in area.tasks:
            who = "; ".join(
                p
                for p in (
                    ", ".join(task.organisations),
                    task.person,
                )
                if p
            )
            detail = [_("deadline: %(date)s") % {"date": _day(task.deadline)}]
            if who:
                detail.insert(0, _("responsible: %(who)s") % {"who": who})
            blocks.append(Paragraph(f"- {task.description} (" + "; ".join(detail) + ")."))
    if not data.areas:
        blocks.append(Paragraph(_("(no tasks entered yet)"), italic=True))

    # IV. Organisation of the implementation, from the tasks' responsible bodies and officials
    blocks.append(Heading(f"{ROMAN[3]}. " + _("ORGANISATION OF THE IMPLEMENTATION"), level=1))
    n = 0
    for body in data.bodies:
        n += 1
        blocks.append(
            Paragraph(
                f"{n}. {body.body}: "
                + _(
                    "leads or takes part in tasks no. %(numbers)s of the appendix (%(areas)s), to "
                    "be completed by %(last)s."
                )
                % {
                    "numbers": _numbers(body.task_numbers),
                    "areas": "; ".join(_lower_first(a) for a in body.areas),
                    "last": _day(body.last_deadline),
                }
            )
        )
    if data.officials:
        n += 1
        assigned = "; ".join(
            _("%(person)s: tasks no. %(numbers)s")
            % {"person": o.body, "numbers": _numbers(o.task_numbers)}
            for o in data.officials
        )
        blocks.append(
            Paragraph(
                f"{n}. "
                + _(
                    "Officials in charge follow, urge and complete the dossiers of the tasks "
                    "assigned to them: %(assigned)s."
                )
                % {"assigned": assigned}
            )
        )
    if n:
        n += 1
        blocks.append(
            Paragraph(
                f"{n}. "
                + _(
                    "Every body and official named above reports on the progress of their tasks "
                    "and the obstacles to be resolved to the management board every quarter and "
                    "every six months."
                )
            )
        )
    if n == 0:
        blocks.append(Paragraph(_("(no responsible bodies entered yet)"), italic=True))
    blocks.append(Paragraph(_("Above is the plan: %(what)s./.") % {"what": what}, italic=False))

    # Appendix after the signature, on its own page: the tasks table (the XLSX sheet)
    appendix: list[Block] = [Heading(_("APPENDIX: TASKS OF THE PLAN"), level=1)]
    appendix.append(
        Table(
            columns=[
                Column(pgettext("table column", "No."), width=0.5, align="center"),
                Column(pgettext("table column", "Task"), width=4.6),
                Column(pgettext("table column", "Solution area"), width=1.6),
                Column(pgettext("table column", "Responsible bodies"), width=2.2),
                Column(pgettext("table column", "Official in charge"), width=1.8),
                Column(pgettext("table column", "Criteria"), width=0.9, align="center"),
                Column(pgettext("table column", "Deadline"), width=1.4, align="center"),
            ],
            rows=[
                [
                    t.number,
                    t.description,
                    t.area,
                    ", ".join(t.organisations),
                    t.person,
                    ", ".join(str(c) for c in t.criteria),
                    t.deadline,
                ]
                for t in data.tasks
            ],
            caption=_("Tasks of the plan %(year)s") % {"year": data.year},
            sheet=_("Appendix"),
        )
    )
    footnotes = []
    if data.is_draft:
        footnotes.append(_("Draft: the plan has not been issued yet."))
    return Document(
        header=data.header,
        title=_("PLAN"),
        subtitle=data.title,
        blocks=blocks,
        appendix=appendix,
        signature=data.signature,
        recipients=data.recipients,
        footnotes=footnotes,
        as_of=data.read_at,
        data_version=data.data_version,
        landscape=False,
        filename=data.filename,
    )


def build_plan(data: PlanData, fmt: str) -> bytes:
    return render(document_for(data), fmt)


build = build_plan
