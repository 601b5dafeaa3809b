"""``azlogs query``: run KQL against a workspace (the emulator's by default) and print the result."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from azlogs.auth import SOURCES
from azlogs.cli._cloud import cloud_option
from azlogs.cli._exit import FAILED, exit_with

if TYPE_CHECKING:
    from azlogs._http import Verify


def _emulator_target(data_dir: Path | None) -> tuple[str, str, Any, str, str | None]:
    """(endpoint, workspace id, credential, CA path, cloud) of a running emulator, with its admin principal."""
    from azlogs.discovery import find_discovery
    from azlogs.provision import emulator_credential

    info = find_discovery(data_dir)
    cred = emulator_credential(info)
    return info.endpoints.query, info.workspace.id, cred, info.ca_cert, info.cloud


@click.command()
@click.argument("kql")
@click.option(
    "--workspace", envvar="AZLOGS_WORKSPACE", default=None, help="Workspace id (GUID) [env AZLOGS_WORKSPACE]."
)
@click.option("--timespan", default=None, help="ISO 8601 duration or start/end, e.g. PT1H.")
@click.option("--endpoint", default=None, help="Query API endpoint (default: Azure's, or the emulator's).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default=None)
@click.option("--source", type=click.Choice(["auto", *SOURCES]), default="auto", show_default=True)
@click.option("--client-id", default=None)
@click.option("--data-dir", type=click.Path(path_type=Path), default=None, help="The emulator's data dir.")
@click.option(
    "--chart",
    is_flag=True,
    help="Draw the result as its `| render` asks (timechart, barchart, piechart, ...) in the terminal.",
)
@cloud_option
def query(
    kql: str,
    workspace: str | None,
    timespan: str | None,
    endpoint: str | None,
    fmt: str | None,
    source: str,
    client_id: str | None,
    data_dir: Path | None,
    cloud: str | None,
    chart: bool,
) -> None:
    """Run KQL against a Log Analytics workspace; without --workspace, against the running emulator."""
    from azlogs.auth import resolve_cloud
    from azlogs.query import query_workspace

    verify: Verify = True  # SSL_CERT_FILE, REQUESTS_CA_BUNDLE or SSL_CERT_DIR, as for send
    if workspace is None:
        endpoint_url, workspace, credential, verify, emulator_cloud = _emulator_target(data_dir)
        endpoint = endpoint or endpoint_url
        cloud = cloud or emulator_cloud
        the_cloud = resolve_cloud(cloud, endpoint=endpoint)
    else:
        from azlogs.auth import choose

        the_cloud = resolve_cloud(cloud, endpoint=endpoint)
        credential = choose(source, client_id, cloud=the_cloud).credential
    tables = query_workspace(
        workspace,
        kql,
        credential,
        endpoint=endpoint,
        timespan=timespan,
        verify=verify,
        cloud=the_cloud,
    )
    if chart:
        from azlogs.query.chart import render_kind, terminal_chart

        kind = render_kind(kql)
        if kind is None:
            raise click.UsageError(
                "--chart draws what the query's `| render` names: end it with e.g. `| render timechart`"
            )
        primary = tables[0] if tables else None
        click.echo(terminal_chart(primary.columns, primary.rows, kind) if primary else "no results", nl=False)
        fmt = fmt or "none"
    fmt = fmt or ("table" if sys.stdout.isatty() else "json")
    partial = next((t.partial_error for t in tables if t.partial_error), None)
    _print(tables, fmt, partial)
    if partial is not None:
        # The rows shown are not all of them: say so, and fail the command (exit 1).
        click.echo(
            f"partial result: {partial}; narrow the query (filter, project, summarize, take)", err=True
        )
        exit_with(FAILED)


def _print(tables: list[Any], fmt: str, partial: str | None) -> None:
    if fmt == "none":  # --chart without --format: the chart only
        return
    if fmt == "json":
        out: dict[str, Any] = {
            "tables": [
                {"name": t.name, "columns": [{"name": n, "type": ty} for n, ty in t.columns], "rows": t.rows}
                for t in tables
            ]
        }
        if partial is not None:
            out["error"] = partial
        click.echo(json.dumps(out))
        return
    primary = tables[0] if tables else None
    if primary is None:
        click.echo("no results", err=True)
        return
    if fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow([n for n, _ in primary.columns])
        for row in primary.rows:
            writer.writerow(
                ["" if v is None else json.dumps(v) if isinstance(v, (dict, list)) else v for v in row]
            )
        return
    from rich.console import Console
    from rich.table import Table

    table = Table()
    for name, typ in primary.columns:
        table.add_column(f"{name}\n[dim]{typ}[/]")
    for row in primary.rows:
        table.add_row(
            *["" if v is None else json.dumps(v) if isinstance(v, (dict, list)) else str(v) for v in row]
        )
    Console().print(table)
    click.echo(f"{len(primary.rows)} rows", err=True)
