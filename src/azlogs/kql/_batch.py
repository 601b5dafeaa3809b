"""A batch of rows held column at a time: what the column-at-a-time evaluator works on.

The row steps of a plan (where, extend, project ...) work on dicts; their batch forms work on a
:class:`Batch`: the rows it came from and one list of values per column read or made, so an
``extend`` adds a list and a ``where`` keeps some positions, none of them copying a dict per row.
A column of the rows is read out of them the first time an expression needs it (a wide table's
other columns never are); dicts are made only where a consumer asks for rows, once per batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

Row = dict[str, Any]
# What a row-free closure is given (it reads no column): the same as compile-time folding passes.
NO_ROW: Final[Mapping[str, Any]] = {}


class Batch:
    """``n`` rows: the ``source`` rows (if any), the columns read from them or set since.

    A column neither set nor in the source rows' schema reads as nulls. Column lists are shared
    between batches and never changed in place.
    """

    __slots__ = ("_borrowed", "_rows", "_set", "columns", "n", "names", "source")

    def __init__(
        self,
        n: int,
        columns: dict[str, list[Any]],
        source: Sequence[Mapping[str, Any]] | None = None,
        names: frozenset[str] = frozenset(),
    ) -> None:
        self.n = n
        self.columns = columns
        self.source = source
        self.names = names  # the columns the source rows may hold
        self._set: list[str] = [] if source is not None else list(columns)
        self._rows: list[Row] | None = None
        self._borrowed = False  # _rows are the source rows themselves (not ours to change)

    @classmethod
    def of_rows(cls, rows: Sequence[Mapping[str, Any]], names: Iterable[str]) -> Batch:
        """The batch of these rows, whose columns ``names`` are read as they are needed."""
        return cls(len(rows), {}, rows, frozenset(names))

    def __len__(self) -> int:
        return self.n

    def column(self, name: str) -> list[Any]:
        """The values of a column (never to be changed in place: batches share their lists)."""
        values = self.columns.get(name)
        if values is None:
            if self.source is not None and name in self.names:
                values = self.columns[name] = [r.get(name) for r in self.source]
            else:
                return [None] * self.n
        return values

    def rows(self) -> list[Row]:
        """The rows as dicts: the source rows themselves when nothing was set, else copies of them
        with the columns set (the dicts are made once; :meth:`set` changes them along)."""
        if self._rows is None:
            if self.source is not None and not self._set:
                self._rows = list(self.source)  # type: ignore[arg-type]
                self._borrowed = True
                return self._rows
            made = [self.columns[c] for c in self._set]
            source = self.source if self.source is not None else [{}] * self.n
            rows = [dict(r) for r in source]
            for c, values in zip(self._set, made, strict=True):
                for r, v in zip(rows, values, strict=True):
                    r[c] = v
            self._rows = rows
        return self._rows

    def set(self, name: str, values: list[Any]) -> None:
        """Give every row a value of ``name`` (a new column or new values), in place."""
        self.columns[name] = values
        if name not in self._set:
            self._set.append(name)
        if self._rows is not None:
            if self._borrowed:
                self._rows = [dict(r) for r in self._rows]
                self._borrowed = False
            for r, v in zip(self._rows, values, strict=True):
                r[name] = v

    def take(self, positions: list[int]) -> Batch:
        """A new batch of the rows at ``positions``."""
        out = Batch(
            len(positions),
            {c: [v[i] for i in positions] for c, v in self.columns.items()},
            None if self.source is None else [self.source[i] for i in positions],
            self.names,
        )
        out._set = list(self._set)
        return out

    def keep(self, mask: list[Any]) -> Batch:
        """The rows whose mask value is ``True`` (this batch itself when that is all of them)."""
        positions = [i for i, m in enumerate(mask) if m is True]
        if len(positions) == self.n:
            return self
        return self.take(positions)

    def held(self) -> dict[str, list[Any]]:
        """Every column of the batch as a list (the source rows' columns read out)."""
        for name in self.names:
            self.column(name)
        return dict(self.columns)
