"""A batch of rows held column at a time: what the column-at-a-time evaluator works on.

The row steps of a plan (where, extend, project ...) work on dicts; their batch forms work on a
:class:`Batch`: one list of values per column of the schema, so an ``extend`` adds a list, a
``where`` keeps some positions of each list and a ``project-away`` drops lists, none of them
building or copying a dict per row. Rows are made from the columns only where a row is needed (a
consumer that reads rows, a node with no batch form), once per batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

Row = dict[str, Any]
# What a row-free closure is given (it reads no column): the same as compile-time folding passes.
NO_ROW: Final[Mapping[str, Any]] = {}


class Batch:
    """``n`` rows as ``columns`` (name -> one value per row); a column not held reads as nulls."""

    __slots__ = ("_rows", "columns", "n")

    def __init__(self, n: int, columns: dict[str, list[Any]]) -> None:
        self.n = n
        self.columns = columns
        self._rows: list[Row] | None = None

    @classmethod
    def of_rows(cls, rows: Sequence[Mapping[str, Any]], names: Iterable[str]) -> Batch:
        """The batch of these rows' values of the columns ``names`` (a missing key reads as null)."""
        return cls(len(rows), {c: [r.get(c) for r in rows] for c in names})

    def __len__(self) -> int:
        return self.n

    def column(self, name: str) -> list[Any]:
        """The values of a column (never to be changed in place: batches share their lists)."""
        values = self.columns.get(name)
        return values if values is not None else [None] * self.n

    def rows(self) -> list[Row]:
        """The rows as dicts of the held columns (made once; changed along by :meth:`set`)."""
        if self._rows is None:
            names = list(self.columns)
            if names:
                self._rows = [
                    dict(zip(names, vals, strict=True)) for vals in zip(*self.columns.values(), strict=True)
                ]
            else:
                self._rows = [{} for _ in range(self.n)]
        return self._rows

    def set(self, name: str, values: list[Any]) -> None:
        """Give every row a value of ``name`` (a new column or new values), in place."""
        self.columns[name] = values
        if self._rows is not None:
            for r, v in zip(self._rows, values, strict=True):
                r[name] = v

    def take(self, positions: list[int]) -> Batch:
        """A new batch of the rows at ``positions``."""
        return Batch(len(positions), {c: [v[i] for i in positions] for c, v in self.columns.items()})

    def keep(self, mask: list[Any]) -> Batch:
        """The rows whose mask value is ``True`` (this batch itself when that is all of them)."""
        positions = [i for i, m in enumerate(mask) if m is True]
        if len(positions) == self.n:
            return self
        return self.take(positions)

    def only(self, names: Iterable[str]) -> Batch:
        """A new batch of the columns ``names`` that this one holds (the lists shared)."""
        return Batch(self.n, {c: self.columns[c] for c in names if c in self.columns})
