"""``azlogs schema infer``: a table, stream declaration and transformation from sample records.

Output: the schema as JSON (what ``azlogs provision --schema`` reads), or a deployable template
(table + Direct DCR + Monitoring Metrics Publisher for a principal) as ARM JSON or Bicep. What the
inference decided (renames, how TimeGenerated is filled, widened types) goes to stderr, so stdout
stays deployable.
"""

from __future__ import annotations

import json
import re
from typing import Any, cast

import click

from azlogs.ingest.readers import FORMATS
from azlogs.provision import read_samples, schema_document
from azlogs.schema import PipelineSpec, arm_template, bicep_template, infer_schema


@click.group()
def schema() -> None:
    """Schemas for custom tables and DCR streams."""


@schema.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--table", required=True, help="Custom table name, NAME_CL.")
@click.option(
    "--format",
    "out_format",
    type=click.Choice(["json", "arm", "bicep"]),
    default="json",
    show_default=True,
    help="json: the schema; arm / bicep: a deployable template.",
)
@click.option("--principal-id", default=None, help="Templates: default for the principalId parameter.")
@click.option("--input-format", type=click.Choice(FORMATS), default="auto", show_default=True)
@click.option("--time-column", default=None, help="Sample key to fill TimeGenerated from.")
@click.option("--dcr-name", default=None, help="Templates: default DCR name [dcr-<table>].")
def infer(
    files: tuple[str, ...],
    table: str,
    out_format: str,
    principal_id: str | None,
    input_format: str,
    time_column: str | None,
    dcr_name: str | None,
) -> None:
    """Infer columns and types from sample FILES (JSON array, NDJSON or CSV)."""
    samples = read_samples(list(files), cast(Any, input_format))
    for bad in samples.bad:
        click.echo(f"warning: {bad.source}:{bad.line}: {bad.reason} (line skipped)", err=True)
    inferred = infer_schema(
        samples.records, table=table, source_format=samples.source_format, time_column=time_column
    )
    click.echo(f"{inferred.records_seen} records read; {inferred.time_generated}", err=True)
    for r in inferred.renames:
        click.echo(f"rename: {r.original!r} -> {r.column} ({r.reason})", err=True)
    for note in inferred.notes:
        click.echo(f"note: {note}", err=True)
    spec = PipelineSpec.from_inferred(inferred, dcr_name=dcr_name)
    if out_format == "json":
        click.echo(json.dumps(schema_document(inferred), indent=2))
    elif out_format == "arm":
        template = arm_template(spec)
        if principal_id:
            template["parameters"]["principalId"]["defaultValue"] = principal_id
        click.echo(json.dumps(template, indent=2))
    else:
        text = bicep_template(spec)
        if principal_id:
            quoted = "'" + principal_id.replace("\\", "\\\\").replace("'", "\\'") + "'"
            line = f"param principalId string = {quoted}"
            text = re.sub(r"^param principalId string$", lambda _m: line, text, flags=re.M)
        click.echo(text, nl=False)
