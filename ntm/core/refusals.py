"""A refused import's problems, bounded on the page: a file of 200,000 bad rows must not make a
page of 14 MB. The page shows the first ``SHOWN``; the whole list (up to ``KEPT``) is kept in
the person's session and downloaded as CSV (``core.views.refused``)."""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

SHOWN = 50
KEPT = 10_000
SESSION_KEY = "refused-"


@dataclass(frozen=True)
class Refused:
    shown: list[Any]
    count: int
    token: str  # the key of the whole list in the session; "" when all are shown

    @property
    def more(self) -> int:
        return self.count - len(self.shown)


def refused(request: HttpRequest, errors: Sequence[Any]) -> Refused:
    """What the page shows of these problems; when they are more than it shows, the list is
    kept in the session for download (row, column, message)."""
    if len(errors) <= SHOWN:
        return Refused(list(errors), len(errors), "")
    token = secrets.token_urlsafe(12)
    # Only the last refusal is kept: a person retrying a big file does not fill the session.
    # SessionBase has keys() but is not iterable.
    for key in [k for k in request.session.keys() if k.startswith(SESSION_KEY)]:  # noqa: SIM118
        del request.session[key]
    request.session[SESSION_KEY + token] = [
        [
            getattr(e, "row", None) or "",
            getattr(e, "column", None) or "",
            getattr(e, "message", str(e)),
        ]
        for e in errors[:KEPT]
    ]
    return Refused(list(errors[:SHOWN]), len(errors), token)
