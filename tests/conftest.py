"""Shared fixtures: a real emulator subprocess per test session (per xdist worker).

The suite starts from a clean environment: variables that point azure-identity, azlogs or an HTTP
client somewhere (an identity endpoint, a CA bundle, a proxy, a running emulator) are removed when
this file is imported, before any test or emulator subprocess sees them. A shell that ran
``eval "$(azlogs emulator env)"`` or sits on an Azure VM gives the same results as CI.
"""

from __future__ import annotations

import gc
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from tests.emulator_proc import EmulatorProcess, ThreadedEmulator

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


# `make compat` runs the unit and CLI suites again on each newer Python (AZLOGS_FUZZ=compat). What can
# differ there is how the interpreter and the standard library behave, which a few examples show as well
# as many; the search for rare inputs is the main run's (and make fuzz's). So there every Hypothesis test
# runs at most this many examples, its other settings unchanged.
COMPAT_MAX_EXAMPLES = 20


def cap_examples(items: list[pytest.Item], cap: int) -> int:
    """Lower every Hypothesis test's max_examples to ``cap``; return how many were lowered."""
    lowered = 0
    for item in items:
        test = getattr(item, "function", None)
        # Where @given/@settings keep a test's settings, and where Hypothesis reads them when it runs.
        current = getattr(test, "_hypothesis_internal_use_settings", None)
        if isinstance(current, settings) and current.max_examples > cap:
            test._hypothesis_internal_use_settings = settings(current, max_examples=cap)
            lowered += 1
    return lowered


def _drives_sdks(path: Path) -> bool:
    """A test file of the integration or e2e suites (Microsoft's SDKs, subprocess pipes)."""
    return any(part in ("integration", "e2e") for part in path.parts)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under xdist, the tests marked ``slow`` are handed out first (longest first, as a scheduler of
    unequal jobs should): the run ends on short tests that both workers share, not on one worker
    still busy with a long test while the other idles. Without xdist the order is left alone, so
    module fixtures are set up once. The sort is stable, and the same on every worker."""
    if hasattr(config, "workerinput"):
        items.sort(key=lambda item: item.get_closest_marker("slow") is None)
    if os.environ.get("AZLOGS_FUZZ") == "compat":
        cap_examples(items, COMPAT_MAX_EXAMPLES)
    # ResourceWarning is an error (pyproject) for the unit and CLI suites, where every resource is the
    # code's or the test's own. The integration and e2e suites also drive Microsoft's SDKs (their aiohttp
    # transports) and subprocess pipes whose close is the garbage collector's timing, not ours: there it
    # is shown, not failed.
    for item in items:
        if _drives_sdks(item.path):
            item.add_marker(pytest.mark.filterwarnings("default::ResourceWarning"))


@pytest.fixture(scope="module", autouse=True)
def collect_what_the_module_left(request: pytest.FixtureRequest) -> Iterator[None]:
    """At the end of an integration or e2e module, its garbage is collected there, where a leaked
    socket is shown (ResourceWarning is not an error in those suites, above). Left to the collector's
    timing, a client socket that an SDK left in a reference cycle was freed later on the same worker,
    inside a unit test, where ResourceWarning is an error: that unit test failed for another's leak."""
    yield
    if _drives_sdks(request.path):
        gc.collect()


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    """One running emulator (HTTP identity listener + HTTPS listener) for the session."""
    emu = EmulatorProcess(tmp_path_factory.mktemp("emulator") / "data")
    emu.start()
    yield emu
    emu.stop()


@pytest.fixture
def fresh_emulator(tmp_path: Path) -> Iterator[EmulatorProcess]:
    """An emulator of the test's own, for tests that change its state or stop it: served from a thread
    of the test process (real sockets and TLS, emulator.json; no process to start). A test of the
    process itself starts an EmulatorProcess."""
    emu = ThreadedEmulator(tmp_path / "data")
    emu.start()
    yield emu
    emu.stop()


@pytest.fixture
def fresh_emulator_process(tmp_path: Path) -> Iterator[EmulatorProcess]:
    """An `azlogs emulator start` process of the test's own, for tests of the process (its stderr, signals)."""
    emu = EmulatorProcess(tmp_path / "data")
    emu.start()
    yield emu
    emu.stop()
