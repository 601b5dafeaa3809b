"""Shared fixtures: a real emulator subprocess per test session (per xdist worker).

The suite starts from a clean environment: variables that point azure-identity, azlogs or an HTTP
client somewhere (an identity endpoint, a CA bundle, a proxy, a running emulator) are removed when
this file is imported, before any test or emulator subprocess sees them. A shell that ran
``eval "$(azlogs emulator env)"`` or sits on an Azure VM gives the same results as CI.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.emulator_proc import EmulatorProcess

_AMBIENT = re.compile(
    r"(AZURE_|AZLOGS_|IDENTITY_|MSI_|IMDS_).*"
    r"|SSL_CERT_(FILE|DIR)|REQUESTS_CA_BUNDLE|CURL_CA_BUNDLE"
    r"|(HTTPS?|ALL|NO)_PROXY",
    re.IGNORECASE,
)


# Settings of the test run itself, not of the code under test: kept.
TEST_RUN_SETTINGS = frozenset({"AZLOGS_FUZZ"})


def ambient_variables(environ: dict[str, str] | os._Environ[str]) -> list[str]:
    """The names in ``environ`` that would point the code under test at something outside the test."""
    return sorted(name for name in environ if _AMBIENT.fullmatch(name) and name not in TEST_RUN_SETTINGS)


for _name in ambient_variables(os.environ):
    del os.environ[_name]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under xdist, the tests marked ``slow`` are handed out first (longest first, as a scheduler of
    unequal jobs should): the run ends on short tests that both workers share, not on one worker
    still busy with a long test while the other idles. Without xdist the order is left alone, so
    module fixtures are set up once. The sort is stable, and the same on every worker."""
    if hasattr(config, "workerinput"):
        items.sort(key=lambda item: item.get_closest_marker("slow") is None)
    # ResourceWarning is an error (pyproject) for the unit and CLI suites, where every resource is the
    # code's or the test's own. The integration and e2e suites also drive Microsoft's SDKs (their aiohttp
    # transports) and subprocess pipes whose close is the garbage collector's timing, not ours: there it
    # is shown, not failed.
    for item in items:
        if any(part in ("integration", "e2e") for part in item.path.parts):
            item.add_marker(pytest.mark.filterwarnings("default::ResourceWarning"))


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
