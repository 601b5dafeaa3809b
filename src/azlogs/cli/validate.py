"""``azlogs validate``: what the service would do to records, before they are sent.

Reads the records as ``azlogs send`` would (JSON array, NDJSON, CSV; CSV empty cells are absent
values), checks them against a DCR stream and the data flow's transformation with
:mod:`azlogs.schema.preflight`, prints what would be dropped, converted, cut or land empty, and
exits 1 when anything would be lost. The DCR comes from a file (ARM JSON) or from ARM by id.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, cast

import click
import orjson

from azlogs._exceptions import InputError, UsageError
from azlogs.cli._exit import FAILED, exit_with
from azlogs.cli.provision import arm_options, open_arm
from azlogs.ingest.readers import FORMATS, RecordReader, detect_format
from azlogs.provision import find_dcr, output_tables
from azlogs.schema.infer import csv_row_to_record
from azlogs.schema.model import DataCollectionRule, TableSchema
from azlogs.schema.preflight import Preflight, PreflightReport

_SHOWN = 20


def _load_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read {what} {path}: {exc}") from exc


def _read_into(check: Preflight, path: str, fmt: str) -> None:
    """Feed one file's records to ``check``; a whole-file single object is reported as a body."""
    kind = fmt
    if path != "-":
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise InputError(f"cannot open: {exc.strerror}", source=path) from exc
        kind = fmt if fmt != "auto" else detect_format(data[:4096], os.path.basename(path))
        if kind in ("json", "ndjson"):
            try:
                whole = orjson.loads(data)
            except orjson.JSONDecodeError:
                whole = None
            multi_line = data.strip().count(b"\n") > 0
            if isinstance(whole, list) or (
                whole is not None and (kind == "json" or path.endswith(".json") or multi_line)
            ):
                check.body(whole, path)
                items = whole if isinstance(whole, list) else [whole] if isinstance(whole, dict) else []
                for i, record in enumerate(items):
                    check.add(record, f"{path} record {i + 1}")
                return
    reader = RecordReader(
        [path], cast(Any, fmt), on_bad=lambda b: check.refuse(f"{b.source}:{b.line}", b.reason)
    )
    is_csv = kind == "csv"
    for item in reader:
        loc = reader.locations[-1]
        record = orjson.loads(bytes(item)) if isinstance(item, bytes) else item
        if is_csv and isinstance(record, dict):
            record = csv_row_to_record(record)
        check.add(record, f"{loc.source}:{loc.line}")


def render(report: PreflightReport, dcr_label: str) -> str:
    """The report for a human: transformations, per column, per record, then the summary."""
    lines = [f"stream {report.stream} of {dcr_label}"]
    for t in report.transforms:
        out = f" -> {t.output_table}" if t.output_table else ""
        rows = f" ({t.rows_in} records in, {t.rows_out} rows out)" if t.status == "ran" else ""
        lines.append(f"  data flow {t.flow}{out}: {t.status}: {t.detail}{rows}")
    if report.columns:
        lines.append("columns:")
        width = max(len(c.column) for c in report.columns)
        for c in sorted(report.columns, key=lambda c: (not c.is_loss, c.column)):
            mark = "LOST" if c.is_loss else "    "
            sample = f" [value: {c.sample}]" if c.sample else ""
            lines.append(
                f"  {mark} {c.column:<{width}}  {c.kind:<13} {c.count:>6} x  {c.reason}; first at {c.first}{sample}"
            )
    if report.record_findings:
        lines.append("records:")
        for r in report.record_findings[:_SHOWN]:
            mark = "LOST" if r.is_loss else "    "
            lines.append(f"  {mark} {r.where}: {r.kind}: {r.reason}")
        if len(report.record_findings) > _SHOWN:
            lines.append(f"  ... and {len(report.record_findings) - _SHOWN} more (--json lists all)")
    lines += [f"note: {n}" for n in report.notes]
    lines.append(("FAIL: " if report.lossy else "OK: ") + report.summary())
    return "\n".join(lines)


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--dcr", "dcr_arg", required=True, help="DCR: a file (ARM JSON), an immutable id or a resource id."
)
@click.option("--stream", default=None, help="Stream name (default: the DCR's only stream).")
@click.option(
    "--table-schema",
    type=click.Path(dir_okay=False, path_type=Path, exists=True),
    default=None,
    help="Destination table (ARM JSON) when the DCR is a file.",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="auto", show_default=True)
@click.option("--strict", is_flag=True, help="Conversions and filtered records fail too.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@arm_options
def validate(
    files: tuple[str, ...],
    dcr_arg: str,
    stream: str | None,
    table_schema: Path | None,
    fmt: str,
    strict: bool,
    as_json: bool,
    data_dir: Path | None,
    subscription: str | None,
    resource_group: str | None,
    arm_endpoint: str | None,
    source: str,
    client_id: str | None,
    cloud: str | None,
) -> None:
    """Check FILES against a DCR stream and its transformation; exit 1 if anything would be lost."""
    tables: dict[str, TableSchema] = {}
    if Path(dcr_arg).is_file():
        rule = DataCollectionRule.from_arm(_load_json(Path(dcr_arg), "the DCR"))
        label = f"DCR file {dcr_arg}"
    else:
        arm, target = open_arm(
            data_dir=data_dir,
            subscription=subscription,
            resource_group=resource_group,
            arm_endpoint=arm_endpoint,
            source=source,
            client_id=client_id,
            writing=False,
            cloud=cloud,
        )
        with arm:
            found = find_dcr(arm, dcr_arg, subscription=subscription or target.subscription_id or None)
            if found is None:
                raise UsageError(f"no DCR {dcr_arg} in subscription {subscription or target.subscription_id}")
            rule = found.rule
            label = f"DCR {found.resource_id} ({found.immutable_id})"
            if stream is None and len(rule.stream_declarations) == 1:
                stream = rule.stream_declarations[0].name
            if stream is not None:
                tables = output_tables(arm, rule, stream)
    if stream is None:
        if len(rule.stream_declarations) != 1:
            names = ", ".join(s.name for s in rule.stream_declarations) or "none"
            raise UsageError(f"give --stream: the DCR declares {names}")
        stream = rule.stream_declarations[0].name
    if table_schema is not None:
        t = TableSchema.from_arm(_load_json(table_schema, "the table schema"))
        tables[t.name] = t
    check = Preflight(rule, stream, tables=tables, strict=strict)
    for path in files:
        _read_into(check, path, fmt)
    report = check.report()
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2, default=str))
    else:
        click.echo(render(report, label))
    if report.lossy:
        exit_with(FAILED)
