"""Fixtures for the spool tests: a spool directory, and helpers that drain and damage spools."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from azlogs.spool import Spool

Drain = Callable[..., list[tuple[str, bytes]]]


def _drain(spool: Spool, stream_key: str | None = None, **limits: int) -> list[tuple[str, bytes]]:
    """Lease and ack everything ready; return (stream key, record) in the order handed out."""
    out: list[tuple[str, bytes]] = []
    while (batch := spool.lease(stream_key=stream_key, **limits)) is not None:
        out.extend((batch.stream_key, r) for r in batch.records)
        spool.ack(batch)
    return out


def _segments(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.suffix == ".log")


@pytest.fixture
def spool_dir(tmp_path: Path) -> Path:
    """A spool directory that does not exist yet."""
    return tmp_path / "spool"


@pytest.fixture(scope="session")
def drain() -> Drain:
    """Lease+ack everything; returns [(stream_key, record)] in lease order."""
    return _drain


@pytest.fixture(scope="session")
def segments() -> Callable[[Path], list[Path]]:
    """Sorted segment files of a spool directory."""
    return _segments


@pytest.fixture(scope="session")
def patch_bytes() -> Callable[[Path, int, bytes], None]:
    """Overwrite bytes of a file in place, as a disk error or a stray write would."""

    def patch(path: Path, offset: int, data: bytes) -> None:
        fd = os.open(path, os.O_RDWR)
        try:
            os.pwrite(fd, data, offset)
        finally:
            os.close(fd)

    return patch
