"""Tabular plans: a schema, a producer of rows, and fused row steps.

A row is a dict. Row steps (where, extend, project, parse, project-rename) are fused into one
function applied as rows stream from the producer; project-away/keep/reorder only change the
schema (values outside the schema are never output). Operators that need all rows (summarize,
sort, join ...) turn the plan into a new producer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from azlogs.kql._budget import current

Row = dict[str, Any]
Step = Callable[[Row], "Row | None"]
Producer = Callable[[], Iterable[Row]]


class Plan:
    """Schema (ordered name -> KQL type), producer and pending row steps."""

    def __init__(
        self,
        columns: dict[str, str],
        produce: Producer,
        steps: list[Step] | None = None,
        *,
        per_record_source: bool = False,
    ) -> None:
        self.columns = columns
        self.produce = produce
        self.steps: list[Step] = steps or []
        # True while the plan is `source` + row steps: a transformation can run it record by record.
        self.per_record_source = per_record_source

    def with_step(self, step: Step, columns: dict[str, str]) -> Plan:
        """A plan with one more row step and a new schema."""
        return Plan(columns, self.produce, [*self.steps, step], per_record_source=self.per_record_source)

    def with_columns(self, columns: dict[str, str]) -> Plan:
        """Same rows, new schema (project-away, project-reorder)."""
        return Plan(columns, self.produce, list(self.steps), per_record_source=self.per_record_source)

    def fused(self) -> Step:
        """All pending row steps as one function."""
        return fuse(self.steps)

    def rows(self) -> Iterator[Row]:
        """Stream the rows of the plan (internal dicts; may hold keys outside the schema)."""
        # Every loop over rows goes through here: the run's budget counts each row (and stops a
        # run past its deadline), whatever produces the rows (a scan, range, a blocking operator).
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

    def materialize(self, produce: Producer, columns: dict[str, str] | None = None) -> Plan:
        """A plan over a new producer (the result of a blocking operator)."""
        return Plan(dict(self.columns) if columns is None else columns, produce)


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
