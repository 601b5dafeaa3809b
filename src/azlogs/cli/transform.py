"""``azlogs transform``: run or check a DCR transformation locally, in milliseconds instead of 15 minutes."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid
from pathlib import Path
from typing import Any

import click

from azlogs._exceptions import UsageError
from azlogs.ingest.readers import FORMATS, RecordReader
from azlogs.schema import StreamDeclaration, infer_schema
from azlogs.schema.trial import try_transformation


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, (uuid.UUID, decimal.Decimal)):
        return str(value)
    return value


def _load_dcr(path: Path, flow: int | None) -> tuple[str, StreamDeclaration]:
    """(transformKql, the stream declaration it reads) of a DCR file's data flow."""
    from azlogs.schema.model import DataCollectionRule

    try:
        body = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read DCR file {path}: {exc}") from exc
    if "resources" in body:  # an ARM template: take its DCR resource
        body = next(
            (r for r in body["resources"] if str(r.get("type", "")).lower().endswith("datacollectionrules")),
            body,
        )
    rule = DataCollectionRule.from_arm(body)
    if not rule.data_flows:
        raise UsageError(f"{path}: the DCR has no data flows")
    if flow is None:
        if len(rule.data_flows) > 1:
            raise UsageError(
                f"{path} has {len(rule.data_flows)} data flows: choose one with --flow N (0-based)"
            )
        index, chosen = 0, rule.data_flows[0]
    else:
        if not 0 <= flow < len(rule.data_flows):
            raise UsageError(f"--flow {flow}: the DCR has data flows 0..{len(rule.data_flows) - 1}")
        index, chosen = flow, rule.data_flows[flow]
    stream = chosen.streams[0]
    declared = {s.name: s for s in rule.stream_declarations}
    if stream not in declared:
        raise UsageError(f"data flow {index} reads stream {stream!r}, which the DCR does not declare")
    return chosen.transform_kql or "source", declared[stream]


@click.group()
def transform() -> None:
    """Run and check DCR transformations (transformKql) locally."""


@transform.command("test")
@click.argument("inputs", nargs=-1, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--kql", default=None, help="The transformation text.")
@click.option(
    "--dcr", "dcr_file", type=click.Path(path_type=Path, exists=True), default=None, help="A DCR (ARM JSON)."
)
@click.option("--flow", type=int, default=None, help="Which data flow of the DCR (0-based).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="auto", show_default=True)
@click.option("--check", "check_only", is_flag=True, help="Only validate the KQL against the DCR dialect.")
@click.option("--loose", is_flag=True, help="Accept functions the docs do not list for transformations.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document instead of text.")
def test_cmd(
    inputs: tuple[str, ...],
    kql: str | None,
    dcr_file: Path | None,
    flow: int | None,
    fmt: str,
    check_only: bool,
    loose: bool,
    as_json: bool,
) -> None:
    """Run a transformation on sample records (JSON, NDJSON, CSV) and show what the table would get."""
    from azlogs.kql import check, parse

    if (kql is None) == (dcr_file is None):
        raise UsageError("give exactly one of --kql or --dcr")
    declaration: StreamDeclaration | None = None
    if dcr_file is not None:
        kql, declaration = _load_dcr(dcr_file, flow)
    assert kql is not None
    if check_only:
        warnings = check(parse(kql), "transformation", strict=not loose)
        click.echo(json.dumps({"valid": True, "warnings": warnings}) if as_json else "valid transformation")
        if not as_json:
            for w in warnings:
                click.echo(f"warning: {w}")
        return
    reader = RecordReader(list(inputs), fmt)  # type: ignore[arg-type]
    records = list(reader)
    for bad in reader.bad:  # said, not skipped silently: the user reads why a record is missing
        click.echo(f"warning: {bad.source}:{bad.line}: {bad.reason} (record skipped)", err=True)
    records = [json.loads(r) if isinstance(r, (bytes, str)) else r for r in records]
    if declaration is None:
        if not records:
            raise UsageError("no input records to infer the stream's columns from; give --dcr or records")
        inferred = infer_schema(records, table="Sample_CL", source_format="csv" if fmt == "csv" else "json")
        declaration = inferred.stream
    trial = try_transformation(records, declaration, kql, strict=not loose)
    out_rows = trial.rows
    events = [
        {"record": index, "column": e.column, "kind": e.kind, "reason": e.reason} for index, e in trial.events
    ]
    dropped = [{"record": index, "reason": reason} for index, reason in trial.dropped]
    lost_columns = trial.input_columns_not_in_output
    rendered = [{k: _json_value(v) for k, v in r.items()} for r in out_rows]
    report: dict[str, Any] = {
        "records_in": len(records),
        "rows_out": len(out_rows),
        "output_columns": trial.output_columns,
        "input_columns_not_in_output": lost_columns,
        "dropped_records": dropped,
        "coercion_events": events,
        "bad_lines": [{"source": b.source, "line": b.line, "reason": b.reason} for b in reader.bad],
        "warnings": trial.warnings,
        "rows": rendered,
    }
    if as_json:
        click.echo(json.dumps(report, default=str))
        return
    for row in rendered:
        click.echo(json.dumps(row, default=str))
    click.echo(f"--- {len(records)} records in, {len(out_rows)} rows out", err=True)
    click.echo("output columns: " + ", ".join(f"{k}:{v}" for k, v in trial.output_columns.items()), err=True)
    if "TimeGenerated" not in trial.output_columns:
        click.echo("note: the output has no TimeGenerated column; the table requires one", err=True)
    for name in lost_columns:
        click.echo(f"column {name}: not in the output (removed by the transformation)", err=True)
    for d in dropped:
        click.echo(f"record {d['record']}: dropped: {d['reason']}", err=True)
    for ev in events:
        click.echo(f"record {ev['record']} column {ev['column']}: {ev['kind']}: {ev['reason']}", err=True)
    for b in reader.bad:
        click.echo(f"{b.source}:{b.line}: {b.reason}", err=True)
    for w in trial.warnings:
        click.echo(f"warning: {w}", err=True)
