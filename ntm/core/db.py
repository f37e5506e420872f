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
            # The array typed as the column (bigint, not the int4[] psycopg picks for small
            # ids): a cross-type = ANY is not hashed, and a filter over many rows then compares
            # each row with every id (10x the time of the IN list on 1.5 million values).
            db_type = self.lhs.output_field.cast_db_type(connection)
            return f"{lhs} = ANY(%s::{db_type}[])", (*lhs_params, ids)
        if not ids:
            return "1 = 0", tuple(lhs_params)
        return f"{lhs} IN ({', '.join(['%s'] * len(ids))})", (*lhs_params, *ids)
