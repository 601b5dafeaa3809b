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
