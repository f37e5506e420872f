"""Query helpers shared by the apps."""

import datetime as dt
import uuid
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Lookup
from django.db.models.sql.constants import MULTI


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


def converted_rows(queryset: Any, chunk_size: int = 5000) -> Iterator[Sequence[Any]]:
    """The rows of a ``values_list`` queryset as the ORM converts them (as the database gives
    them when no column needs converting), each distinct raw value of a column converted once.

    Bulk reads of values repeat the same few numbers across thousands of units (85.5, 100,
    a flag), and the ORM calls each column's converters for every row: on SQLite a decimal
    conversion costs as much as reading the row. Falsy raw values (0, -0.0, "") are converted
    every time, so 0 and -0 and False never share an entry; so are values of different types
    that compare equal (1 and 1.0), which are kept apart by their type.
    """
    compiler = queryset.query.get_compiler(queryset.db)
    results = compiler.execute_sql(MULTI, chunked_fetch=True, chunk_size=chunk_size)
    fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
    converters = compiler.get_converters(fields)
    connection = compiler.connection
    memos: list[tuple[int, list[Any], Any, dict[tuple[type, Any], Any]]] = [
        (pos, convs, expression, {}) for pos, (convs, expression) in converters.items()
    ]
    if not memos:
        for chunk in results:
            yield from chunk
        return
    for chunk in results:
        for raw_row in chunk:
            row = list(raw_row)
            for pos, convs, expression, memo in memos:
                raw = row[pos]
                key = (type(raw), raw) if raw else None
                value = memo.get(key, _MISSING) if key is not None else _MISSING
                if value is _MISSING:
                    value = raw
                    for convert in convs:
                        value = convert(value, expression, connection)
                    # Only values nobody can change in place are shared between rows.
                    if key is not None and isinstance(value, _IMMUTABLE):
                        memo[key] = value
                row[pos] = value
            yield row


_MISSING = object()
_IMMUTABLE = (Decimal, bool, int, float, str, dt.date, uuid.UUID)
