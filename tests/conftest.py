"""Shared fixtures: a real emulator subprocess per test session (per xdist worker)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.emulator_proc import EmulatorProcess


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    """One running emulator (HTTP identity listener + HTTPS listener) for the session."""
    emu = EmulatorProcess(tmp_path_factory.mktemp("emulator") / "data")
    emu.start()
    yield emu
    emu.stop()


@pytest.fixture
def fresh_emulator(tmp_path: Path) -> Iterator[EmulatorProcess]:
    """An emulator of the test's own, for tests that change its state or stop it."""
    emu = EmulatorProcess(tmp_path / "data")
    emu.start()
    yield emu
    emu.stop()
