"""Query helpers shared by the apps."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Lookup


class AmongIds(Lookup):
    """``column IN (ids)`` for long id lists: ``AmongIds(F("unit_id"), ids)`` in ``filter()``.

    On PostgreSQL the ids travel as ONE array parameter (``= ANY(%s)``): psycopg parses a query
    for its placeholders on every execution unless the query is short, and a chunk of 2,000
    ``%s`` costs it more than the database spends answering. Elsewhere, a plain ``IN`` list.
    """

    lookup_name = "among_ids"
    prepare_rhs = False

    def __init__(self, lhs: Any, rhs: Iterable[int]):
        super().__init__(lhs, [int(pk) for pk in rhs])

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        ids = self.rhs
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", (*lhs_params, ids)
        if not ids:
            return "1 = 0", tuple(lhs_params)
        return f"{lhs} IN ({', '.join(['%s'] * len(ids))})", (*lhs_params, *ids)
