"""Batching: exact 1 MiB sizing, order, every record exactly once, oversize records, streaming."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from azlogs.facts import MAX_BODY_BYTES
from azlogs.ingest import FailedRecord
from azlogs.ingest._batching import Batch, Batcher, aiter_batches, iter_batches

# A record is given by its JSON size (padding), or is a poison value that cannot be serialised.
sizes = st.lists(st.integers(min_value=0, max_value=400) | st.just(-1), max_size=60)


def make(n: int, i: int) -> object:
    if n < 0:
        return {"i": i, "bad": object()}
    return {"i": i, "p": "x" * n}


class TestProperties:
    @settings(max_examples=200)
    @given(sizes, st.integers(min_value=12, max_value=600))
    def test_every_record_once_in_order_within_limit(self, spec: list[int], limit: int) -> None:
        """Each record is in exactly one batch or failed; order kept; every body within the limit."""
        records = [make(n, i) for i, n in enumerate(spec)]
        seen: list[int] = []
        failed: list[int] = []
        for item in iter_batches(records, Batcher(limit)):
            if isinstance(item, FailedRecord):
                failed.append(item.index)
                continue
            body = item.body()
            assert len(body) == item.size <= limit
            assert len(item) > 0
            decoded = orjson.loads(body)
            assert [r["i"] for r in decoded] == item.indexes
            seen.extend(item.indexes)
        assert seen == sorted(seen)
        assert sorted(seen + failed) == list(range(len(records)))
        for i in failed:
            n = spec[i]
            assert n < 0 or len(orjson.dumps(records[i])) + 2 > limit

    @settings(max_examples=100)
    @given(sizes, st.integers(min_value=12, max_value=600))
    def test_batches_are_full(self, spec: list[int], limit: int) -> None:
        """A batch is closed only when the next record does not fit (no wasted requests)."""
        records = [make(n, i) for i, n in enumerate(spec)]
        items = list(iter_batches(records, Batcher(limit)))
        batches = [b for b in items if isinstance(b, Batch)]
        for this, following in itertools.pairwise(batches):
            first_next = len(following.parts[0])
            assert this.size + first_next + 1 > limit


class TestLimits:
    def test_default_limit_is_one_mebibyte(self) -> None:
        """The default body limit is exactly 1,048,576 bytes."""
        assert MAX_BODY_BYTES == 1_048_576
        assert Batcher().max_body == MAX_BODY_BYTES

    def test_record_exactly_at_the_limit_fits(self) -> None:
        """A record whose body [r] is exactly the limit is sent alone."""
        record = {"p": "x" * (MAX_BODY_BYTES - 2 - len(b'{"p":""}'))}
        (batch,) = list(iter_batches([record]))
        assert isinstance(batch, Batch)
        assert batch.size == len(batch.body()) == MAX_BODY_BYTES

    def test_record_one_byte_over_is_failed_with_index_and_size(self) -> None:
        """A record one byte too large fails with its index and size; the others go on."""
        big = {"p": "x" * (MAX_BODY_BYTES - 1 - len(b'{"p":""}'))}
        items = list(iter_batches([{"a": 1}, big, {"b": 2}]))
        failed = [i for i in items if isinstance(i, FailedRecord)]
        assert len(failed) == 1
        assert failed[0].index == 1
        assert failed[0].code == "RecordTooLarge"
        assert f"{MAX_BODY_BYTES - 1:,} bytes" in failed[0].reason
        batches = [i for i in items if isinstance(i, Batch)]
        assert [b.indexes for b in batches] == [[0, 2]]

    def test_unserialisable_record_is_failed_not_raised(self) -> None:
        """A record orjson cannot write is a FailedRecord with the reason; the rest are batched."""
        items = list(iter_batches([{"a": 1}, {"a": {1, object()}}, "not json", {"a": 3}]))
        failed = [i for i in items if isinstance(i, FailedRecord)]
        assert [(f.index, f.code) for f in failed] == [(1, "RecordInvalid"), (2, "RecordInvalid")]
        assert "not JSON serializable" in failed[0].reason
        assert [i.indexes for i in items if isinstance(i, Batch)] == [[0, 3]]

    def test_halves_keep_order_and_exact_sizes(self) -> None:
        """Splitting a batch gives two ordered halves with exact sizes."""
        (batch,) = list(iter_batches([{"i": i} for i in range(5)]))
        assert isinstance(batch, Batch)
        first, second = batch.halves()
        assert first.indexes + second.indexes == batch.indexes
        assert first.size == len(first.body()) and second.size == len(second.body())

    def test_limit_must_leave_room(self) -> None:
        """A limit that cannot hold one record is refused."""
        with pytest.raises(ValueError, match="max_body"):
            Batcher(2)


class TestStreaming:
    def test_reads_no_further_than_the_batch_it_yields(self) -> None:
        """The iterable is read lazily: at most one record past the yielded batch."""
        consumed = 0

        def gen() -> Iterator[dict[str, object]]:
            nonlocal consumed
            for i in itertools.count():
                consumed += 1
                yield {"i": i, "p": "y" * 90}

        batcher = Batcher(1000)
        first = next(iter_batches(gen(), batcher))
        assert isinstance(first, Batch)
        assert consumed == len(first) + 1
        assert batcher.read == consumed

    def test_million_record_generator_streams(self) -> None:
        """A generator of a million small records is batched completely, every body within 1 MiB."""
        count = 0
        largest = 0
        for item in iter_batches({"i": i} for i in range(1_000_000)):
            assert isinstance(item, Batch)
            count += len(item)
            largest = max(largest, item.size)
        assert count == 1_000_000
        assert largest <= MAX_BODY_BYTES

    async def test_async_iterable(self) -> None:
        """aiter_batches gives the same batches from an async iterable."""

        async def agen() -> object:
            for i in range(50):
                yield {"i": i, "p": "z" * 30}

        items = [b async for b in aiter_batches(agen(), Batcher(400))]
        sync = list(iter_batches(({"i": i, "p": "z" * 30} for i in range(50)), Batcher(400)))
        assert [b.indexes for b in items if isinstance(b, Batch)] == [
            b.indexes for b in sync if isinstance(b, Batch)
        ]
