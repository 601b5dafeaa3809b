"""A transformation tried on sample records: what ``azlogs transform test`` shows, as a library.

Records are coerced to the stream declaration (:class:`StreamCoercer`, as the service does before a
transformation runs), then the transformation runs on each one: its output rows, the records it drops
(an error, or a ``where`` that filters them) and the coercion events, record by record.

Pure: the KQL engine is imported on first use, as in :mod:`azlogs.schema.preflight`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from azlogs.schema.coerce import CoercionEvent, StreamCoercer
from azlogs.schema.model import StreamDeclaration

__all__ = ["TransformTrial", "try_transformation"]


@dataclass
class TransformTrial:
    """What a transformation makes of sample records.

    Attributes:
        output_columns: the output's columns and their KQL types.
        rows: the output rows, typed values (datetime, timedelta ...).
        dropped: (record index, reason) for each record that produced no row.
        events: (record index, event) for what coercion to the stream changed.
        warnings: the dialect checker's warnings about the text.
        input_columns: the stream's columns and their KQL types.
    """

    output_columns: dict[str, str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    dropped: list[tuple[int, str]] = field(default_factory=list)
    events: list[tuple[int, CoercionEvent]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    input_columns: dict[str, str] = field(default_factory=dict)

    @property
    def input_columns_not_in_output(self) -> list[str]:
        """Stream columns that the transformation removes."""
        return sorted(set(self.input_columns) - set(self.output_columns))


def try_transformation(
    records: Iterable[Mapping[str, Any]],
    declaration: StreamDeclaration,
    kql: str,
    *,
    strict: bool = True,
    received: datetime | None = None,
) -> TransformTrial:
    """Run ``kql`` on ``records`` sent to the stream ``declaration``.

    Raises:
        KqlError: the text does not compile (or, with ``strict``, uses what DCR transformations lack).
    """
    from azlogs.kql import compile_transformation

    input_types = {c.name: c.type.kql_name for c in declaration.columns}
    compiled = compile_transformation(kql, input_types, strict=strict)
    trial = TransformTrial(
        dict(compiled.output_columns), warnings=list(compiled.warnings), input_columns=input_types
    )
    coercer = StreamCoercer(declaration)
    now = received or datetime.now(timezone.utc)
    for index, record in enumerate(records):
        coerced = coercer.coerce(record, now)
        trial.events.extend((index, e) for e in coerced.events)
        result = compiled.apply([coerced.row])
        if result.errors:
            trial.dropped.append((index, result.errors[0][1]))
        elif not result.rows:
            trial.dropped.append((index, "filtered out by the transformation (where)"))
        trial.rows.extend(result.rows)
    return trial
