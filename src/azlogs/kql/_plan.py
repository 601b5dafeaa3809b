"""Tabular plans: a schema, a producer of rows, and fused row steps.

A row is a dict. Row steps (where, extend, project, parse, project-rename) are fused into one
function applied as rows stream from the producer; project-away/keep/reorder only change the
schema (values outside the schema are never output). Operators that need all rows (summarize,
sort, join ...) turn the plan into a new producer.

A step may have a batch form too (:data:`BatchStep`): the steps then run column at a time over
batches of rows (:meth:`Plan.batches`, a :class:`~._batch.Batch` each), a few dozen rows first,
then up to :data:`BATCH_ROWS`; a step without one runs row by row inside the batch.
Whatever raises inside a batch (an error, the value size limit, :class:`~._vector.Replay`) makes
the runner replay that batch row by row through the row steps, lazily, so a run answers and fails
exactly as the row-by-row run does: the same rows, the same error, at the same row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any, Final

from azlogs._exceptions import KqlTimeoutError
from azlogs.kql._batch import Batch
from azlogs.kql._budget import current
from azlogs.schema.names import INGESTION_TIME_COLUMN

Row = dict[str, Any]
Step = Callable[[Row], "Row | None"]
Producer = Callable[[], Iterable[Row]]
# A batch of the step's input schema -> a batch of its output schema (it may change its input).
BatchStep = Callable[[Batch], Batch]
BATCH_ROWS: Final = 1024
_FIRST_BATCH: Final = 32


class Plan:
    """Schema (ordered name -> KQL type), producer and pending row steps."""

    def __init__(
        self,
        columns: dict[str, str],
        produce: Producer,
        steps: list[Step] | None = None,
        *,
        per_record_source: bool = False,
        batch_steps: list[BatchStep | None] | None = None,
        schemas: list[dict[str, str]] | None = None,
    ) -> None:
        self.columns = columns
        self.produce = produce
        self.steps: list[Step] = steps or []
        # The batch form of each step (None: the step has none and runs row by row in the batch),
        # and the schema of the producer's rows then of each step's (as batches hold them).
        self.batch_steps: list[BatchStep | None] = batch_steps or [None] * len(self.steps)
        self.schemas: list[dict[str, str]] = schemas or [columns]
        # True while the plan is `source` + row steps: a transformation can run it record by record.
        self.per_record_source = per_record_source

    def with_step(self, step: Step, columns: dict[str, str], batch: BatchStep | None = None) -> Plan:
        """A plan with one more row step (and its batch form, if it has one) and a new schema."""
        return Plan(
            columns,
            self.produce,
            [*self.steps, step],
            per_record_source=self.per_record_source,
            batch_steps=[*self.batch_steps, batch],
            schemas=[*self.schemas, columns],
        )

    def with_columns(self, columns: dict[str, str]) -> Plan:
        """Same rows, new schema (project-away, project-reorder)."""
        return Plan(
            columns,
            self.produce,
            list(self.steps),
            per_record_source=self.per_record_source,
            batch_steps=list(self.batch_steps),
            schemas=[*self.schemas[:-1], columns],
        )

    def fused(self) -> Step:
        """All pending row steps as one function."""
        return fuse(self.steps)

    def rows(self) -> Iterator[Row]:
        """Stream the rows of the plan (internal dicts; may hold keys outside the schema)."""
        # Every loop over rows goes through here: the run's budget counts each row (and stops a
        # run past its deadline), whatever produces the rows (a scan, range, a blocking operator).
        if self.batch_runner() is not None:
            for batch in self.batches():
                yield from batch.rows()
            return
        tick = current().tick
        steps = self.steps
        if not steps:
            for r in self.produce():
                tick()
                yield r
            return
        f = steps[0] if len(steps) == 1 else fuse(steps)
        for r in self.produce():
            tick()
            out = f(r)
            if out is not None:
                yield out

    def batch_runner(self) -> Callable[[list[Row]], Batch] | None:
        """The steps' batch forms over a list of the producer's rows; None when no step has one
        (or the plan's schemas are not known step by step)."""
        if not any(b is not None for b in self.batch_steps) or len(self.schemas) != len(self.steps) + 1:
            return None
        forms = [
            b if b is not None else _row_batch(s, schema)
            for b, s, schema in zip(self.batch_steps, self.steps, self.schemas[1:], strict=True)
        ]
        source = list(self.schemas[0])
        # A store's hidden column a scan added for ingestion_time() rides along, unseen by the schema.
        with_hidden = [*source, INGESTION_TIME_COLUMN]

        def run(rows: list[Row]) -> Batch:
            hidden = bool(rows) and INGESTION_TIME_COLUMN in rows[0]
            batch = Batch.of_rows(rows, with_hidden if hidden else source)
            for f in forms:
                batch = f(batch)
                if not batch.n:
                    break
            return batch

        return run

    def batches(self) -> Iterator[Batch]:
        """The rows of :meth:`rows` in batches, the steps run column at a time where they can be."""
        tick = current().tick
        names = list(self.columns)
        run = self.batch_runner()
        if run is None:
            # Row by row (no step has a batch form), gathered into batches.
            rows = self.rows() if self.steps else iter(self.produce())
            size = _FIRST_BATCH
            while chunk := list(islice(rows, size)):
                if not self.steps:
                    tick(len(chunk))
                yield Batch.of_rows(chunk, names)
                size = min(size * 2, BATCH_ROWS)
            return
        row = fuse(self.steps)
        source = iter(self.produce())
        size = _FIRST_BATCH
        while chunk := list(islice(source, size)):
            tick(len(chunk))
            size = min(size * 2, BATCH_ROWS)
            try:
                out = run(chunk)
            except KqlTimeoutError:
                raise
            except Exception:
                # Row by row, each row yielded as it is made: a consumer that stops early (take)
                # never meets an error of a row it would not have read.
                for r in chunk:
                    o = row(r)
                    if o is not None:
                        yield Batch.of_rows([o], names)
                continue
            if out.n:
                yield out

    def materialize(self, produce: Producer, columns: dict[str, str] | None = None) -> Plan:
        """A plan over a new producer (the result of a blocking operator)."""
        return Plan(dict(self.columns) if columns is None else columns, produce)


def _row_batch(step: Step, schema: dict[str, str]) -> BatchStep:
    names = list(schema)

    def batch(b: Batch) -> Batch:
        return Batch.of_rows([o for r in b.rows() if (o := step(r)) is not None], names)

    return batch


def fuse(steps: list[Step]) -> Step:
    """Compose row steps; a step returning None drops the row."""
    if not steps:
        return lambda r: r
    if len(steps) == 1:
        return steps[0]
    if len(steps) == 2:
        s0, s1 = steps

        def two(r: Row) -> Row | None:
            r2 = s0(r)
            return None if r2 is None else s1(r2)

        return two
    seq = tuple(steps)

    def many(r: Row) -> Row | None:
        out: Row | None = r
        for s in seq:
            out = s(out)  # type: ignore[arg-type]
            if out is None:
                return None
        return out

    return many
