"""The suite does not depend on the shell it is started from."""

from __future__ import annotations

import os

from tests.conftest import ambient_variables


def test_ambient_identity_ca_and_proxy_variables_are_recognised() -> None:
    """What `azlogs emulator env` exports, what Azure hosts set and proxies count as ambient; others don't."""
    environ = {
        "SSL_CERT_FILE": "/stale/ca.pem",
        "REQUESTS_CA_BUNDLE": "/stale/ca.pem",
        "AZURE_CLIENT_ID": "x",
        "AZURE_AUTHORITY_HOST": "https://127.0.0.1:1",
        "AZLOGS_EMULATOR_FILE": "/stale/emulator.json",
        "IDENTITY_ENDPOINT": "http://127.0.0.1:1",
        "IDENTITY_HEADER": "h",
        "MSI_ENDPOINT": "http://127.0.0.1:1",
        "IMDS_ENDPOINT": "http://127.0.0.1:1",
        "https_proxy": "http://proxy:3128",
        "NO_PROXY": "localhost",
        "PATH": "/usr/bin",
        "HOME": "/root",
        "PYTHONHASHSEED": "0",
    }
    assert ambient_variables(environ) == sorted(set(environ) - {"PATH", "HOME", "PYTHONHASHSEED"})


def test_the_test_process_has_none_of_them() -> None:
    """conftest removed every ambient variable before the tests ran."""
    assert ambient_variables(os.environ) == []


def test_settings_of_the_test_run_itself_are_kept() -> None:
    """AZLOGS_FUZZ (make fuzz's long profile) is a setting of the run, not ambient: it survives the cleaning
    (it used to be removed with the rest, so `make fuzz` silently ran the fixed CI profile)."""
    assert ambient_variables({"AZLOGS_FUZZ": "long", "AZLOGS_DCR": "dcr-x"}) == ["AZLOGS_DCR"]


def test_make_fuzz_gets_the_long_profile() -> None:
    """With AZLOGS_FUZZ=long in the environment of pytest, the fuzz tests run the long, random profile."""
    import subprocess
    import sys

    probe = (
        "import tests.conftest, tests.unit.fuzz.profiles as p; print(p.FUZZ.max_examples, p.FUZZ.derandomize)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        env={**os.environ, "AZLOGS_FUZZ": "long"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out[1] == "False" and int(out[0]) > 150


def test_compat_runs_few_examples_of_every_hypothesis_test() -> None:
    """Under make compat (AZLOGS_FUZZ=compat) a Hypothesis test asking for 300 examples runs at most
    COMPAT_MAX_EXAMPLES of them, its other settings kept; other tests are left alone."""
    from types import SimpleNamespace

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from tests.conftest import COMPAT_MAX_EXAMPLES, cap_examples

    seen: list[int] = []

    @settings(max_examples=300, derandomize=True, database=None, deadline=None)
    @given(st.integers())
    def prop(x: int) -> None:
        seen.append(x)

    def plain() -> None:
        pass

    items = [SimpleNamespace(function=prop), SimpleNamespace(function=plain), SimpleNamespace()]
    assert cap_examples(items, COMPAT_MAX_EXAMPLES) == 1  # type: ignore[arg-type]
    prop()
    assert 0 < len(seen) <= COMPAT_MAX_EXAMPLES
    kept = prop._hypothesis_internal_use_settings  # type: ignore[attr-defined]
    assert kept.derandomize and kept.deadline is None
