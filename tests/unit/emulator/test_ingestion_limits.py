"""The ingestion endpoint's evaluation limits in-process (ASGI): the transformation deadline and slices.

Azure answers 204 and records the failure in DCRLogErrors (OperationName "Transformation") when a
transformation fails for records: they are dropped, the others land. A runaway transformation is such
a failure here: past the request's time limit the records not yet transformed are dropped and
recorded, and the request ends instead of holding the ingestion worker (issue 12).
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from azlogs.emulator.context import Context
from azlogs.emulator.control.api import DcrRecord
from azlogs.emulator.ingestion.pipeline import SLICE
from azlogs.emulator.store import WorkspaceStore
from azlogs.emulator.store import diagnostics as kinds
from tests.unit.emulator import test_ingestion_helpers as helpers

NOW = datetime.now(timezone.utc).replace(microsecond=0)
# 2**19 calls of f0 per record (about a second each here): far past any sensible deadline.
DOUBLING = " ".join(
    ["let f0 = (x:long) { x + 1 };"]
    + [f"let f{i} = (x:long) {{ f{i - 1}(x) + f{i - 1}(x) }};" for i in range(1, 20)]
)
RUNAWAY_TRANSFORM = DOUBLING + " source | extend Code = toint(f19(Code))"
ROOT = Path(__file__).resolve().parents[3]


class Env:
    def __init__(self, ctx: Context, control: helpers.FakeControl, http: httpx.AsyncClient) -> None:
        self.ctx, self.control, self.http = ctx, control, http
        self.store: WorkspaceStore = ctx.store
        self.dce = control.add_dce()

    def dcr(self, name: str, transform: str) -> DcrRecord:
        dcr = self.control.add_dcr(
            name, helpers.rule(transform=transform, dce_id=self.dce.resource_id), self.dce
        )
        self.control.grant(self.ctx.tenant.identity("vm").principal_id, dcr.resource_id)
        return dcr

    async def post(self, dcr: DcrRecord, payload: Any) -> httpx.Response:
        url = f"/dce/{self.dce.path_key}/dataCollectionRules/{dcr.immutable_id}/streams/Custom-App?api-version=2023-01-01"
        headers = {
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
            "Authorization": f"Bearer {helpers.token(self.ctx, 'vm')}",
        }
        return await self.http.post(url, content=gzip.compress(orjson.dumps(payload)), headers=headers)

    def rows(self) -> list[tuple[Any, ...]]:
        result = self.store.scan(helpers.WS_ID, "App_CL")
        return [] if result is None else list(result.rows)

    def entries(self, dcr: DcrRecord) -> dict[str, Any]:
        return {d.kind: d for d in self.store.diagnostics(dcr=dcr.immutable_id, limit=1000)}


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    control = helpers.FakeControl()
    control.add_table(helpers.table_schema())
    ctx = helpers.make_context(tmp_path, control)
    app = helpers.make_app(ctx)
    async with helpers.client(app) as http:
        yield Env(ctx, control, http)
    ctx.ingestion.close()


def record(i: int) -> dict[str, Any]:
    return {"TimeGenerated": NOW.isoformat(), "Computer": f"vm-{i}", "Code": i}


class TestTransformationDeadline:
    async def test_a_runaway_transformation_is_stopped_its_records_dropped_and_recorded(
        self, env: Env
    ) -> None:
        """Past the transformation time limit the request answers 204, its records are dropped and counted."""
        env.ctx.settings.limits.transform_timeout_seconds = 1
        dcr = env.dcr("runaway", RUNAWAY_TRANSFORM)
        r = await env.post(dcr, [record(i) for i in range(50)])
        assert r.status_code == 204
        assert env.rows() == []
        entry = env.entries(dcr)[kinds.TRANSFORM_ERROR]
        assert entry.count == 50 and entry.record_index == 0
        assert "time limit of 1 s" in entry.reason and "record dropped" in entry.reason

    async def test_the_next_request_is_served_after_a_runaway(self, env: Env) -> None:
        """The ingestion worker is free again once the runaway request ends: the next request lands."""
        env.ctx.settings.limits.transform_timeout_seconds = 1
        runaway = env.dcr("runaway", RUNAWAY_TRANSFORM)
        plain = env.dcr("plain", "source | extend Code = Code + 1")
        # 50 records, as above: the runaway's cost is per record, and one record alone can finish inside
        # the limit on a faster interpreter (it did on 3.12), landing a second row.
        first = await env.post(runaway, [record(i) for i in range(50)])
        second = await env.post(plain, [record(1)])
        assert (first.status_code, second.status_code) == (204, 204)
        assert len(env.rows()) == 1
        assert kinds.TRANSFORM_ERROR not in env.entries(plain)

    async def test_a_deadline_reached_between_slices_drops_the_rest_unrun(self, env: Env) -> None:
        """Records of slices after the deadline are dropped without running and counted with the others."""
        env.ctx.settings.limits.transform_timeout_seconds = 1
        dcr = env.dcr("runaway", RUNAWAY_TRANSFORM)
        r = await env.post(dcr, [record(i) for i in range(SLICE + 10)])
        assert r.status_code == 204 and env.rows() == []
        assert env.entries(dcr)[kinds.TRANSFORM_ERROR].count == SLICE + 10


class TestSlices:
    async def test_diagnostics_keep_record_indices_across_slices(self, env: Env) -> None:
        """Records past the first slice are reported by their index in the request, and every record lands."""
        dcr = env.dcr("sliced", "source | extend Code = Code * 2")
        body: list[Any] = [record(i) for i in range(SLICE * 2 + 7)]
        body[SLICE + 3] = "not an object"
        body[SLICE * 2 + 1]["Code"] = "not a number"
        r = await env.post(dcr, body)
        assert r.status_code == 204
        assert len(env.rows()) == SLICE * 2 + 6
        entries = env.entries(dcr)
        assert entries[kinds.NOT_AN_OBJECT].record_index == SLICE + 3
        converted = [
            d for d in env.store.diagnostics(dcr=dcr.immutable_id, limit=1000) if d.column_name == "Code"
        ]
        assert [d.record_index for d in converted] == [SLICE * 2 + 1]


MEASURE = """
import asyncio, gzip, json, resource, sys, tempfile
from pathlib import Path
from tests.unit.emulator import test_ingestion_helpers as helpers

async def main():
    control = helpers.FakeControl()
    control.add_table(helpers.table_schema())
    dce = control.add_dce()
    dcr = control.add_dcr("r", helpers.rule(dce_id=dce.resource_id), dce)
    ctx = helpers.make_context(Path(tempfile.mkdtemp()), control)
    control.grant(ctx.tenant.identity("vm").principal_id, dcr.resource_id)
    url = f"/dce/{dce.path_key}/dataCollectionRules/{dcr.immutable_id}/streams/Custom-App?api-version=2023-01-01"
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip",
               "Authorization": f"Bearer {helpers.token(ctx, 'vm')}"}
    # What azure-monitor-ingestion sends for 1 MiB of "{}" records: 2 MiB with its separators.
    body = gzip.compress(b"[" + b", ".join([b"{}"] * 524_288) + b"]")
    async with helpers.client(helpers.make_app(ctx)) as http:
        warm = await http.post(url, content=gzip.compress(b"[{}]"), headers=headers)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        r = await http.post(url, content=body, headers=headers)
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        rows = ctx.store.count(sys.argv[1], "App_CL")
    ctx.ingestion.close()
    print(json.dumps({"status": [warm.status_code, r.status_code], "rows": rows, "grew_kib": after - before}))

asyncio.run(main())
"""


class TestMemory:
    def test_a_2_mib_body_of_empty_records_has_a_bounded_peak(self) -> None:
        """2 MiB of `{}` records (524,288 of them) land with peak RSS growing < 100 MiB (it was ~214 MiB)."""
        done = subprocess.run(
            [sys.executable, "-c", MEASURE, helpers.WS_ID],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        out = json.loads(done.stdout.strip().splitlines()[-1])
        assert out["status"] == [204, 204] and out["rows"] == 524_289
        assert out["grew_kib"] < 100 * 1024, out
