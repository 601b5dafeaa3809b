"""schema infer -> provision -> send -> read back, templates deployed as is, validate and doctor on the emulator."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest

from azlogs.emulator.control.api import READER
from tests.emulator_proc import AZLOGS, EmulatorProcess, run_with_env
from tests.provisioning import arm_client, grant

NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _records() -> list[dict[str, Any]]:
    """Sample records with awkward keys (space, dash, dot, reserved, leading digit) and nested values."""
    return [
        {
            "time": (NOW - dt.timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "user-name": f"user{i}",
            "msg with space": f"hello {i}, \"quoted\" 'x'",
            "Type": "login" if i % 2 else "logout",
            "id": str(uuid.UUID(int=i + 1)),
            "1st.value": i * 1.5,
            "count": i,
            "big": 2**40 + i,
            "ok": i % 2 == 0,
            "ctx": {"ip": f"10.0.0.{i}", "tags": ["a", "b"][: i % 3], "nested": {"depth": i}},
        }
        for i in range(5)
    ]


def _write(path: Path, fmt: str, records: list[dict[str, Any]]) -> Path:
    if fmt == "json":
        path.write_text(json.dumps(records, indent=1))
    elif fmt == "ndjson":
        path.write_text("".join(json.dumps(r) + "\n" for r in records))
    else:
        flat = [{k: v for k, v in r.items() if not isinstance(v, dict)} for r in records]
        with path.open("w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(flat[0]))
            writer.writeheader()
            for r in flat:
                writer.writerow({k: str(v).lower() if isinstance(v, bool) else v for k, v in r.items()})
    return path


def cli(emu: EmulatorProcess, *argv: str, source: str = "vm", **kw: Any) -> subprocess.CompletedProcess[str]:
    return run_with_env(emu, source, [AZLOGS, *argv], **kw)


def rows(emu: EmulatorProcess, table: str) -> list[dict[str, Any]]:
    """The table's rows as the emulator stored them (what `azlogs emulator rows` prints)."""
    return emu.rows(table)


def queried(emu: EmulatorProcess, table: str) -> list[dict[str, Any]]:
    """The table's rows through the Log Analytics query API (`azlogs query`); dynamic values parsed."""
    out = subprocess.run(
        [AZLOGS, "query", table, "--format", "json", "--data-dir", str(emu.data_dir)],
        capture_output=True,
        text=True,
        check=True,
    )
    (primary,) = json.loads(out.stdout)["tables"]
    cols = [(c["name"], c["type"]) for c in primary["columns"]]
    return [
        {
            n: json.loads(v) if t == "dynamic" and isinstance(v, str) else v
            for (n, t), v in zip(cols, row, strict=True)
        }
        for row in primary["rows"]
    ]


def _same(sent: Any, landed: Any) -> bool:
    """A sent JSON value and the landed one are equal (datetimes compared as instants)."""
    if isinstance(sent, str) and isinstance(landed, str) and re.match(r"\d{4}-\d\d-\d\dT", sent):
        a = dt.datetime.fromisoformat(sent.replace("Z", "+00:00"))
        b = dt.datetime.fromisoformat(landed.rstrip("Z")[:26] + "+00:00")
        return a == b
    if isinstance(sent, float) or isinstance(landed, float):
        return float(sent) == float(landed)
    return bool(sent == landed)


def _typed_csv(value: str) -> Any:
    if value in ("true", "false"):
        return value == "true"
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value


@pytest.mark.parametrize("fmt", ["json", "ndjson", "csv"])
def test_round_trip(emulator: EmulatorProcess, tmp_path: Path, fmt: str) -> None:
    """Infer from samples, provision, send with the VM's managed identity: every value lands unchanged
    under its (renamed) column, in the store and through the query API, for JSON, NDJSON and CSV
    with awkward names and nested objects."""
    table = f"Trip{fmt.capitalize()}_CL"
    sample = _write(tmp_path / f"sample.{fmt}", fmt, _records())
    schema = cli(emulator, "schema", "infer", str(sample), "--table", table)
    assert schema.returncode == 0, schema.stderr
    doc = json.loads(schema.stdout)
    names = {r["original"]: r["column"] for r in doc["renames"]}
    assert (
        names["user-name"] == "user_name" and names["Type"] == "Type_s" and names["1st.value"] == "c1st_value"
    )
    if fmt == "json":
        (tmp_path / "schema.json").write_text(schema.stdout)
        source_args = ["--schema", str(tmp_path / "schema.json")]
    elif fmt == "ndjson":
        source_args = ["--sample", str(sample)]
    else:
        source_args = [str(sample)]
    first = cli(emulator, "provision", "--table", table, *source_args, "--assign-self", "--json")
    assert first.returncode == 0, first.stderr
    result = json.loads(first.stdout)
    assert {c["kind"]: c["action"] for c in result["changes"]} == {
        "table": "created",
        "dcr": "created",
        "role": "created",
    }
    assert result["role_assignment_id"].endswith(
        next(c["id"] for c in result["changes"] if c["kind"] == "role").rsplit("/", 1)[-1]
    )
    again = cli(emulator, "provision", "--table", table, *source_args, "--assign-self")
    assert again.returncode == 0, again.stderr
    assert "no change" in again.stdout and result["dcr_immutable_id"] in again.stdout

    sent = cli(
        emulator,
        "send",
        str(sample),
        "--endpoint",
        result["endpoint"],
        "--dcr",
        result["dcr_immutable_id"],
        "--stream",
        result["stream"],
        "--json",
        "--dead-letter",
        str(tmp_path / "dead.ndjson"),
    )
    assert sent.returncode == 0, sent.stderr
    assert json.loads(sent.stdout)["records_sent"] == 5

    for read_back in (rows(emulator, table), queried(emulator, table)):
        landed = {r["user_name"]: r for r in read_back}
        assert len(landed) == 5
        for record in _records():
            row = landed[record["user-name"]]
            for key, value in record.items():
                if fmt == "csv" and isinstance(value, dict):
                    continue
                sent_as = str(value).lower() if isinstance(value, bool) else str(value)
                expected = _typed_csv(sent_as) if fmt == "csv" else value
                column = names.get(key, key)
                assert _same(expected, row[column]), (key, value, row[column])
            assert _same(record["time"], row["TimeGenerated"])


def _eval_arm(value: Any, ctx: dict[str, Any]) -> Any:
    """Evaluate the ARM template expressions the generated template uses (a small subset of ARM's)."""
    if isinstance(value, dict):
        return {k: _eval_arm(v, ctx) for k, v in value.items()}
    if isinstance(value, list):
        return [_eval_arm(v, ctx) for v in value]
    if isinstance(value, str) and value.startswith("[["):
        return value[1:]
    if isinstance(value, str) and value.startswith("[") and value.endswith("]"):
        return _Expr(value[1:-1], ctx).run()
    return value


class _Expr:
    def __init__(self, text: str, ctx: dict[str, Any]) -> None:
        self.t, self.i, self.ctx = text, 0, ctx

    def run(self) -> Any:
        value = self.value()
        assert self.i == len(self.t), self.t[self.i :]
        return value

    def _ws(self) -> None:
        while self.i < len(self.t) and self.t[self.i] == " ":
            self.i += 1

    def value(self) -> Any:
        self._ws()
        if self.t[self.i] == "'":
            end = self.i + 1
            out = ""
            while True:
                nxt = self.t.index("'", end)
                out += self.t[end:nxt]
                if self.t[nxt + 1 : nxt + 2] == "'":
                    out += "'"
                    end = nxt + 2
                    continue
                self.i = nxt + 1
                return out
        name = re.match(r"[A-Za-z]+", self.t[self.i :])
        assert name is not None, self.t[self.i :]
        self.i += len(name.group())
        assert self.t[self.i] == "("
        self.i += 1
        args: list[Any] = []
        self._ws()
        while self.t[self.i] != ")":
            args.append(self.value())
            self._ws()
            if self.t[self.i] == ",":
                self.i += 1
        self.i += 1
        result = self.call(name.group(), args)
        while self.i < len(self.t) and self.t[self.i] == ".":
            prop = re.match(r"\.([A-Za-z]+)", self.t[self.i :])
            assert prop is not None
            self.i += len(prop.group())
            result = result[prop.group(1)]
        return result

    def call(self, name: str, args: list[Any]) -> Any:
        c = self.ctx
        base = f"/subscriptions/{c['sub']}"
        if name == "parameters":
            return c["params"][args[0]]
        if name == "variables":
            return c["vars"][args[0]]
        if name in ("resourceId", "subscriptionResourceId"):
            namespace, *types = args[0].split("/")
            tail = "/".join(f"{t}/{n}" for t, n in zip(types, args[1:], strict=True))
            scope = base if name == "subscriptionResourceId" else f"{base}/resourceGroups/{c['rg']}"
            return f"{scope}/providers/{namespace}/{tail}"
        if name == "format":
            return re.sub(r"\{(\d+)\}", lambda m: str(args[1 + int(m.group(1))]), args[0])
        if name == "guid":
            return str(uuid.uuid5(uuid.NAMESPACE_URL, "|".join(args)))
        if name == "resourceGroup":
            return {"location": c["location"]}
        raise AssertionError(f"unexpected ARM function {name}")


def _expr_free(value: Any) -> Any:
    """ARM JSON with every expression replaced by one marker, for shape comparisons."""
    if isinstance(value, dict):
        return {k: _expr_free(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_expr_free(v) for v in value]
    if isinstance(value, str) and value.startswith("[") and not value.startswith("[["):
        return "<expr>"
    return value


class _Bicep:
    """Reads the Bicep values the generator writes: objects, arrays, strings, numbers, expressions."""

    def __init__(self, text: str, i: int) -> None:
        self.t, self.i = text, i

    def value(self) -> Any:
        while self.t[self.i] in " \n":
            self.i += 1
        ch = self.t[self.i]
        if ch == "{":
            return self._seq("}", keyed=True)
        if ch == "[":
            return self._seq("]", keyed=False)
        if ch == "'":
            out, j = "", self.i + 1
            esc = {"\\": "\\", "'": "'", "n": "\n", "r": "\r", "t": "\t", "$": "$"}
            while self.t[j] != "'":
                if self.t[j] == "\\":
                    out += esc[self.t[j + 1]]
                    j += 2
                else:
                    out += self.t[j]
                    j += 1
            self.i = j + 1
            return out
        end = self.t.index("\n", self.i)
        token, self.i = self.t[self.i : end], end
        if re.fullmatch(r"-?\d+", token):
            return int(token)
        return {"true": True, "false": False, "null": None}.get(token, "<expr>")

    def _seq(self, close: str, keyed: bool) -> Any:
        self.i += 1
        out: Any = {} if keyed else []
        while True:
            while self.t[self.i] in " \n":
                self.i += 1
            if self.t[self.i] == close:
                self.i += 1
                return out
            if keyed:
                m = re.match(r"('(?:[^'\\]|\\.)*'|[A-Za-z_][A-Za-z0-9_]*): ", self.t[self.i :])
                assert m is not None, self.t[self.i : self.i + 40]
                key = m.group(1).strip("'")
                self.i += len(m.group())
                out[key] = self.value()
            else:
                out.append(self.value())


class TestTemplates:
    def _infer(self, emu: EmulatorProcess, tmp_path: Path, table: str, fmt: str, principal: str) -> str:
        sample = _write(tmp_path / "s.ndjson", "ndjson", _records())
        out = cli(
            emu,
            "schema",
            "infer",
            str(sample),
            "--table",
            table,
            "--format",
            fmt,
            "--principal-id",
            principal,
        )
        assert out.returncode == 0, out.stderr
        return out.stdout

    def test_arm_template_deploys_unchanged(self, emulator: EmulatorProcess, tmp_path: Path) -> None:
        """Every resource of the ARM template is accepted by the control plane as written (expressions
        evaluated, nothing edited), and the outputs resolve to a DCR that send can use."""
        principal = emulator.identity("vm-user").principal_id
        template = json.loads(self._infer(emulator, tmp_path, "TplArm_CL", "arm", principal))
        info = emulator.info
        params = {k: v.get("defaultValue") for k, v in template["parameters"].items()}
        params["workspaceName"] = info.workspace.name
        ctx = {
            "sub": info.subscription_id,
            "rg": info.resource_group,
            "location": info.location,
            "vars": template["variables"],
            "params": params,
        }
        ctx["params"] = {k: _eval_arm(v, ctx) for k, v in params.items()}
        assert ctx["params"]["principalId"] == principal
        with arm_client(info) as arm:
            for res in template["resources"]:
                name = _eval_arm(res["name"], ctx)
                rtype = res["type"]
                if "scope" in res:
                    scope = f"/subscriptions/{ctx['sub']}/resourceGroups/{ctx['rg']}/providers/{_eval_arm(res['scope'], ctx)}"
                    rid = f"{scope}/providers/{rtype}/{name}"
                else:
                    rid = _Expr(
                        "resourceId('" + rtype + "', " + ", ".join(f"'{n}'" for n in name.split("/")) + ")",
                        ctx,
                    ).run()
                body = {k: _eval_arm(res[k], ctx) for k in ("location", "kind", "properties") if k in res}
                arm.put(rid, res["apiVersion"], body)
            dcr_id = _eval_arm(template["outputs"]["dataCollectionRuleId"]["value"], ctx)
            dcr = arm.get(dcr_id, "2023-03-11")
        assert dcr["properties"]["immutableId"].startswith("dcr-")
        assert dcr["properties"]["endpoints"]["logsIngestion"].startswith("https://")

    def test_arm_shapes_match_the_reference(self, emulator: EmulatorProcess, tmp_path: Path) -> None:
        """Table and DCR bodies have the documented shapes (protocols.md 2.2, 2.3)."""
        template = json.loads(self._infer(emulator, tmp_path, "TplShape_CL", "arm", "p"))
        by_type = {r["type"]: r for r in template["resources"]}
        table = by_type["Microsoft.OperationalInsights/workspaces/tables"]
        assert set(table["properties"]["schema"]) == {"name", "columns"}
        assert {c["name"]: c["type"] for c in table["properties"]["schema"]["columns"]}[
            "TimeGenerated"
        ] == "dateTime"
        dcr = by_type["Microsoft.Insights/dataCollectionRules"]
        assert dcr["kind"] == "Direct" and {"location", "kind", "properties"} <= set(dcr)
        props = dcr["properties"]
        assert set(props) == {"streamDeclarations", "destinations", "dataFlows"}
        (decl,) = props["streamDeclarations"].values()
        assert set(decl) == {"columns"} and all(set(c) == {"name", "type"} for c in decl["columns"])
        assert set(props["destinations"]["logAnalytics"][0]) == {"workspaceResourceId", "name"}
        assert set(props["dataFlows"][0]) == {"streams", "destinations", "transformKql", "outputStream"}
        assert props["dataFlows"][0]["outputStream"] == "Custom-TplShape_CL"
        role = by_type["Microsoft.Authorization/roleAssignments"]
        assert set(role["properties"]) == {"roleDefinitionId", "principalId", "principalType"}

    def test_bicep_has_the_same_resource_set(self, emulator: EmulatorProcess, tmp_path: Path) -> None:
        """The Bicep output declares the same resources, api versions and properties as the ARM JSON."""
        arm = json.loads(self._infer(emulator, tmp_path, "TplBicep_CL", "arm", "p"))
        bicep = self._infer(emulator, tmp_path, "TplBicep_CL", "bicep", "p")
        declared = re.findall(r"^resource \w+ '([^@']+)@([^']+)' = \{", bicep, re.M)
        assert sorted(declared) == sorted((r["type"], r["apiVersion"]) for r in arm["resources"])
        for res in arm["resources"]:
            block = bicep[bicep.index(f"'{res['type']}@{res['apiVersion']}' = {{") :]
            start = block.index("properties: ") + len("properties: ")
            props = _Bicep(block, start).value()
            assert props == _expr_free(res["properties"]), res["type"]
        assert "param principalId string = 'p'" in bicep


@pytest.fixture(scope="module")
def checked(emulator: EmulatorProcess, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A pipeline for validate and doctor: provisioned from samples, the VM identity assigned."""
    tmp = tmp_path_factory.mktemp("checked")
    sample = _write(tmp / "clean.ndjson", "ndjson", _records())
    out = cli(emulator, "provision", "--table", "Checked_CL", str(sample), "--assign-self", "--json")
    assert out.returncode == 0, out.stderr
    return {**json.loads(out.stdout), "sample": sample, "dir": tmp}


# The tests on the `checked` pipeline share one worker under xdist, so it is provisioned once.
@pytest.mark.xdist_group("pipeline_checked")
class TestValidate:
    def _validate(
        self, emu: EmulatorProcess, pipe: dict[str, Any], *files: Path
    ) -> tuple[int, dict[str, Any]]:
        out = cli(emu, "validate", *map(str, files), "--dcr", pipe["dcr_immutable_id"], "--json")
        assert out.returncode in (0, 1), out.stderr
        return out.returncode, json.loads(out.stdout)

    def test_clean_data_reports_nothing(self, emulator: EmulatorProcess, checked: dict[str, Any]) -> None:
        """The samples the pipeline was inferred from: no finding, exit 0, the transformation ran."""
        code, report = self._validate(emulator, checked, checked["sample"])
        assert code == 0
        assert report["columns"] == [] and report["records_findings"] == []
        assert report["transforms"][0]["status"] == "ran"

    @pytest.mark.parametrize(
        ("name", "mutate", "kind", "column"),
        [
            ("undeclared", lambda r: {**r, "surprise": 1}, "dropped", "surprise"),
            ("wrong_type", lambda r: {**r, "count": "many"}, "nulled", "count"),
            ("oversize", lambda r: {**r, "msg with space": "x" * 70_000}, "truncated", "msg with space"),
        ],
    )
    def test_planted_column_mismatch(
        self,
        emulator: EmulatorProcess,
        checked: dict[str, Any],
        name: str,
        mutate: Any,
        kind: str,
        column: str,
    ) -> None:
        """Each planted column mismatch is found, named by column and file:line, and exits 1."""
        records = _records()
        records[2] = mutate(records[2])
        path = _write(checked["dir"] / f"{name}.ndjson", "ndjson", records)
        code, report = self._validate(emulator, checked, path)
        assert code == 1
        (finding,) = [c for c in report["columns"] if c["kind"] == kind]
        assert finding["column"] == column and finding["first"] == f"{path}:3" and finding["loss"]

    def test_object_body(self, emulator: EmulatorProcess, checked: dict[str, Any]) -> None:
        """A file holding one object (not an array) is reported as a body the service ignores."""
        path = checked["dir"] / "single.json"
        path.write_text(json.dumps(_records()[0], indent=2))
        code, report = self._validate(emulator, checked, path)
        assert code == 1
        assert [(r["kind"], r["where"]) for r in report["records_findings"]] == [("object_body", str(path))]

    def test_dcr_from_a_file(self, emulator: EmulatorProcess, checked: dict[str, Any]) -> None:
        """--dcr FILE with --table-schema checks the same way without ARM."""
        with arm_client(emulator.info) as arm:
            dcr = arm.get(checked["dcr_id"], "2023-03-11")
            table = arm.get(f"{emulator.info.workspace.resource_id}/tables/Checked_CL", "2022-10-01")
        (checked["dir"] / "dcr.json").write_text(json.dumps(dcr))
        (checked["dir"] / "table.json").write_text(json.dumps(table))
        bad = _write(checked["dir"] / "bad.ndjson", "ndjson", [{**_records()[0], "surprise": 1}])
        out = cli(
            emulator,
            "validate",
            str(bad),
            "--dcr",
            str(checked["dir"] / "dcr.json"),
            "--table-schema",
            str(checked["dir"] / "table.json"),
        )
        assert out.returncode == 1
        assert "LOST surprise" in out.stdout and "dropped" in out.stdout


def _doctor(
    emu: EmulatorProcess, pipe: dict[str, Any], *extra: str, source: str = "vm", **kw: Any
) -> tuple[int, dict[str, dict[str, Any]]]:
    argv = [
        "doctor",
        "--endpoint",
        pipe["endpoint"],
        "--dcr",
        pipe["dcr_immutable_id"],
        "--stream",
        pipe["stream"],
        "--json",
        *extra,
    ]
    out = cli(emu, *argv, source=source, **kw)
    assert out.returncode in (0, 1), out.stderr
    return out.returncode, {s["step"]: s for s in json.loads(out.stdout)["steps"]}


@pytest.mark.xdist_group("pipeline_checked")
class TestDoctor:
    def test_healthy_pipeline(self, emulator: EmulatorProcess, checked: dict[str, Any]) -> None:
        """Everything in place: every step ok, and --probe sends one marked record."""
        code, steps = _doctor(emulator, checked, "--probe")
        assert code == 0, steps
        assert steps["test record"]["status"] == "ok" and steps["role"]["status"] == "ok"

    def test_missing_role(self, emulator: EmulatorProcess, checked: dict[str, Any]) -> None:
        """An identity without the role: the role step fails, naming its object id and the role."""
        oid = emulator.identity("automation").principal_id
        code, steps = _doctor(emulator, checked, source="automation")
        assert code == 1 and steps["role"]["status"] == "failed"
        assert oid in steps["role"]["fix"] and "Monitoring Metrics Publisher" in steps["role"]["fix"]

    def test_wrong_dcr_id(self, emulator: EmulatorProcess, checked: dict[str, Any]) -> None:
        """An immutable id no DCR has: the DCR step fails with where to find the right one."""
        code, steps = _doctor(emulator, {**checked, "dcr_immutable_id": "dcr-" + "0" * 32})
        assert code == 1 and steps["DCR"]["status"] == "failed" and "immutableId" in steps["DCR"]["fix"]

    def test_wrong_stream(self, emulator: EmulatorProcess, checked: dict[str, Any]) -> None:
        """A stream the DCR does not declare: the stream step fails."""
        code, steps = _doctor(emulator, {**checked, "stream": "Custom-Nope"})
        assert code == 1 and steps["stream"]["status"] == "failed" and steps["DCR"]["status"] == "ok"

    def test_unreachable_endpoint(self, emulator: EmulatorProcess, checked: dict[str, Any]) -> None:
        """An endpoint nobody answers: the connection step fails with the fix."""
        code, steps = _doctor(emulator, {**checked, "endpoint": "https://127.0.0.1:9/dcr/x"})
        assert code == 1 and steps["endpoint TLS"]["status"] == "failed" and steps["endpoint TLS"]["fix"]

    def test_no_identity(self, emulator: EmulatorProcess, checked: dict[str, Any]) -> None:
        """No identity answers (not on Azure): IMDS and token fail, with what was looked for."""
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "IDENTITY_", "IMDS_", "MSI_"))
        }
        env.pop("AZLOGS_EMULATOR_FILE", None)
        # A closed loopback port stands in for "not on an Azure VM" (no traffic leaves the machine).
        env["AZURE_POD_IDENTITY_AUTHORITY_HOST"] = "http://127.0.0.1:9"
        out = subprocess.run(
            [
                AZLOGS,
                "doctor",
                "--endpoint",
                checked["endpoint"],
                "--dcr",
                checked["dcr_immutable_id"],
                "--stream",
                checked["stream"],
                "--json",
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
        assert out.returncode == 1, out.stderr
        steps = {s["step"]: s for s in json.loads(out.stdout)["steps"]}
        assert steps["IMDS reachable"]["status"] == "failed"
        assert (
            steps["token"]["status"] == "failed"
            and "no managed identity is available" in steps["token"]["detail"]
        )

    def test_read_through_arm_when_allowed(self, emulator: EmulatorProcess, checked: dict[str, Any]) -> None:
        """An identity with Reader on the DCR gets DCR, stream and role judged from ARM (the role is missing)."""
        ident = emulator.identity("appservice")
        grant(emulator.info, checked["dcr_id"], ident.principal_id, READER)
        # Reader on the DCR alone does not allow listing the subscription's DCRs: give its resource id.
        code, steps = _doctor(
            emulator, {**checked, "dcr_immutable_id": checked["dcr_id"]}, source="appservice"
        )
        assert code == 1
        assert (
            "read through ARM" in steps["DCR"]["detail"]
            and checked["dcr_immutable_id"] in steps["DCR"]["detail"]
        )
        assert steps["stream"]["status"] == "ok" and "flows to Checked_CL" in steps["stream"]["detail"]
        assert steps["role"]["status"] == "failed" and "no role granting" in steps["role"]["detail"]


def test_unreadable_arc_key_file(tmp_path: Path) -> None:
    """On Arc, a user who may not read the agent's key file is told so, with the himds group as the fix."""
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"emulator": {"arc_key_owner": "65534:65534"}}))
    emu = EmulatorProcess(tmp_path / "data", "--config", str(config))
    emu.start()
    try:
        out = run_with_env(emu, "arc", [AZLOGS, "doctor", "--json"], drop_file_override=True)
    finally:
        emu.stop()
    assert out.returncode == 1, out.stdout + out.stderr
    steps = {s["step"]: s for s in json.loads(out.stdout)["steps"]}
    assert steps["Arc key file"]["status"] == "failed", (steps, out.stderr)
    assert "himds" in steps["Arc key file"]["fix"]
    assert steps["token"]["status"] == "failed", steps


class TestProvisionModes:
    def test_merge_adds_and_refuses_type_changes(self, emulator: EmulatorProcess, tmp_path: Path) -> None:
        """--mode merge adds a new column; a changed type is refused with the reason; create refuses changes."""
        base = _write(tmp_path / "a.ndjson", "ndjson", _records())
        assert cli(emulator, "provision", "--table", "Merge_CL", str(base)).returncode == 0
        wider = _write(tmp_path / "b.ndjson", "ndjson", [{**r, "new field": 1} for r in _records()])
        refused = cli(emulator, "provision", "--table", "Merge_CL", str(wider))
        assert refused.returncode == 1 and "--mode merge" in refused.stderr
        merged = cli(emulator, "provision", "--table", "Merge_CL", str(wider), "--mode", "merge", "--json")
        assert merged.returncode == 0, merged.stderr
        changes = {c["kind"]: c for c in json.loads(merged.stdout)["changes"]}
        assert changes["table"]["action"] == "updated" and "new_field" in changes["table"]["detail"]
        retyped = _write(tmp_path / "c.ndjson", "ndjson", [{**r, "count": "many"} for r in _records()])
        bad = cli(emulator, "provision", "--table", "Merge_CL", str(retyped), "--mode", "merge")
        assert bad.returncode == 1 and "column count is int" in bad.stderr

    def test_env_output_feeds_send(self, emulator: EmulatorProcess, tmp_path: Path) -> None:
        """--env prints the export lines azlogs send reads."""
        sample = _write(tmp_path / "a.ndjson", "ndjson", _records())
        out = cli(emulator, "provision", "--table", "Env_CL", str(sample), "--assign-self", "--env")
        assert out.returncode == 0, out.stderr
        exported = dict(re.findall(r"^export (AZLOGS_\w+)=(\S+)$", out.stdout, re.M))
        assert set(exported) == {"AZLOGS_ENDPOINT", "AZLOGS_DCR", "AZLOGS_STREAM"}
        send = run_with_env(emulator, "vm", ["bash", "-c", f"{out.stdout}\nexec {AZLOGS} send {sample}"])
        assert send.returncode == 0, send.stderr
        assert "sent 5 of 5 records" in send.stdout
