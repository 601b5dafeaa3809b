"""The tabular operators of issue 14 through the emulator's query API, read by azure-monitor-query.

Real HTTPS on 127.0.0.1, the VM identity's token, the unchanged SDK: externaldata from a local copy
of a URL, make-series (dynamic arrays), lookup with toscalar, mv-apply with bag_unpack. On the code
before, each of these queries was a syntax error.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from azlogs.facts import LOG_ANALYTICS_READER_ROLE_ID
from tests.emulator_proc import EmulatorProcess, run_with_env
from tests.provisioning import grant

SCRIPT = str(Path(__file__).parent / "scripts" / "sdk_query_ops.py")


class TestOperatorsOverTheQueryApi:
    def test_sdk_reads_the_operators_answers(self, fresh_emulator: EmulatorProcess) -> None:
        """Columns, types and rows as the engine answers them, through the SDK's parsing."""
        info = fresh_emulator.info
        copy = (
            fresh_emulator.data_dir / "externaldata/raw.githubusercontent.com/example/iocs/main/bad-ips.csv"
        )
        copy.parent.mkdir(parents=True)
        copy.write_text("ip,score\n192.0.2.7,9\n198.51.100.1,4\n", encoding="utf-8")
        grant(
            info,
            info.workspace.resource_id,
            fresh_emulator.identity("vm").principal_id,
            LOG_ANALYTICS_READER_ROLE_ID,
        )
        result = run_with_env(fresh_emulator, "vm", [sys.executable, SCRIPT])
        assert result.returncode == 0, result.stderr[-3000:]
        out = json.loads(result.stdout.strip().splitlines()[-1])
        assert out["externaldata"] == {
            "columns": [["ip", "string"], ["score", "long"]],
            "rows": [["192.0.2.7", 9]],
        }
        ms = out["make_series"]
        assert ms["columns"] == [["s", "dynamic"], ["t", "dynamic"]]
        # dynamic values come as JSON text, as the service sends them
        assert json.loads(ms["rows"][0][0]) == [1, 0, 5]
        assert len(json.loads(ms["rows"][0][1])) == 3
        lk = out["lookup_toscalar"]
        assert lk["columns"] == [["k", "string"], ["n", "long"], ["name", "string"], ["top", "long"]]
        assert lk["rows"] == [["a", 1, "alpha", 9], ["b", 2, "", 9]]
        mv = out["mv_apply_bag_unpack"]
        assert mv["columns"] == [["a", "dynamic"], ["v", "long"], ["Age", "long"], ["Name", "string"]]
        assert mv["rows"][0][1:] == [9, 20, "John"]
