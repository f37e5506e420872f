"""Where a set's prerequisite comes from besides the prerequisite set's own stored results.

The advanced set asks that the commune *be recognised* under the basic one (Decision
318/QĐ-TTg): a recognition decision is the fact, the basic set's results only its stand-in.
Decisions are kept by an app above this one (``recognition``), which registers a source here
when it starts, so the pipeline reads them without importing upwards.

A decision counts as met from its date until a later stored result of the prerequisite set
says otherwise (a recognised commune that no longer keeps the basic standard does not qualify
for the next one while it does not).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence

# (national set code, unit ids) → for each unit with a decision, the decisions' dates
Source = Callable[[str, Sequence[int]], dict[int, list[dt.date]]]

_sources: list[Source] = []


def register(source: Source) -> None:
    if source not in _sources:
        _sources.append(source)


def decision_dates(set_code: str, unit_ids: Sequence[int]) -> dict[int, list[dt.date]]:
    """Every registered source's decisions under this set for these units, by date."""
    found: dict[int, list[dt.date]] = defaultdict(list)
    for source in _sources:
        for unit_id, dates in source(set_code, unit_ids).items():
            found[unit_id].extend(dates)
    return {unit_id: sorted(dates) for unit_id, dates in found.items()}
