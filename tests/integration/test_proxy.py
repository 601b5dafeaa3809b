"""HTTPS_PROXY carries the service traffic (ingestion, ARM, Entra, query); identity endpoints never go through a proxy."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.emulator_proc import AZLOGS, EmulatorProcess, run_with_env
from tests.proxy import LoopbackProxy

# The module's pipeline (three provisionings through the CLI) is built once: one worker runs the module.
pytestmark = pytest.mark.xdist_group("proxy")

NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def proxy() -> Iterator[LoopbackProxy]:
    with LoopbackProxy() as p:
        yield p


def proxied(p: LoopbackProxy) -> dict[str, str]:
    """Every proxy variable pointed at the loopback proxy, and no NO_PROXY: the worst case for identity endpoints."""
    return {
        "HTTPS_PROXY": p.url,
        "HTTP_PROXY": p.url,
        "ALL_PROXY": p.url,
        "https_proxy": p.url,
        "http_proxy": p.url,
    }


@pytest.fixture(scope="module")
def pipeline(emulator: EmulatorProcess, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A table, DCR and role for the VM, App Service and Arc identities, provisioned without a proxy."""
    sample = tmp_path_factory.mktemp("proxy") / "sample.ndjson"
    sample.write_text(json.dumps({"TimeGenerated": NOW, "Message": "sample"}) + "\n")
    result: dict[str, Any] = {}
    for source in ("vm", "appservice", "arc"):
        out = run_with_env(
            emulator,
            source,
            [AZLOGS, "provision", "--table", "Proxied_CL", str(sample), "--assign-self", "--json"],
        )
        assert out.returncode == 0, out.stderr
        result = json.loads(out.stdout)
    return result


def https_port(emu: EmulatorProcess) -> str:
    return str(httpx.URL(emu.info.endpoints.arm).port)


def identity_ports(emu: EmulatorProcess) -> set[str]:
    return {
        str(httpx.URL(getattr(emu.info.endpoints, k)).port)
        for k in ("imds", "arc", "app_service", "automation")
    }


@pytest.mark.parametrize("source", ["vm", "appservice", "arc"])
def test_send_goes_through_the_proxy_but_the_identity_endpoint_does_not(
    emulator: EmulatorProcess, pipeline: dict[str, Any], proxy: LoopbackProxy, tmp_path: Path, source: str
) -> None:
    """azlogs send with HTTPS_PROXY, HTTP_PROXY and ALL_PROXY set and no NO_PROXY: the upload is tunnelled
    (CONNECT to the endpoint), the managed identity's endpoint is asked directly (the proxy sees no request
    for it), and the records land."""
    data = tmp_path / "r.ndjson"
    data.write_text(json.dumps({"TimeGenerated": NOW, "Message": f"via proxy from {source}"}) + "\n")
    argv = [
        AZLOGS,
        "send",
        str(data),
        "--endpoint",
        pipeline["endpoint"],
        "--dcr",
        pipeline["dcr_immutable_id"],
    ]
    argv += ["--stream", pipeline["stream"], "--json"]
    out = run_with_env(emulator, source, argv, extra_env=proxied(proxy))
    assert out.returncode == 0, out.stdout + out.stderr
    assert json.loads(out.stdout)["records_sent"] == 1
    assert f"127.0.0.1:{https_port(emulator)}" in proxy.seen.connects
    assert proxy.seen.plain == []
    assert not any(c.rsplit(":", 1)[-1] in identity_ports(emulator) for c in proxy.seen.connects)


def test_query_and_arm_go_through_the_proxy(
    emulator: EmulatorProcess, pipeline: dict[str, Any], proxy: LoopbackProxy
) -> None:
    """azlogs query (Entra token, then the query API) and azlogs doctor's ARM reads are tunnelled through HTTPS_PROXY."""
    out = run_with_env(
        emulator, "vm", [AZLOGS, "query", "Proxied_CL | count", "--format", "json"], extra_env=proxied(proxy)
    )
    assert out.returncode == 0, out.stderr
    assert len(proxy.seen.connects) >= 2  # Entra and the query API (one tunnel each, or more)
    assert all(c == f"127.0.0.1:{https_port(emulator)}" for c in proxy.seen.connects)
    assert proxy.seen.plain == []
