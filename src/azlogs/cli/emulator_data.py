"""``azlogs emulator rows`` and ``azlogs emulator diagnostics``: what the emulator stored, and what it dropped.

Both read a running emulator (found through its ``emulator.json``) over its HTTPS listener, trusting
its CA: ``GET /_emulator/rows`` and ``GET /_emulator/diagnostics``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click
import httpx
import orjson

from azlogs._exceptions import EmulatorError
from azlogs._http import client
from azlogs.discovery import Discovery, find_discovery

FOLLOW_INTERVAL = 1.0


def _get(info: Discovery, path: str, params: dict[str, Any]) -> httpx.Response:
    base = info.endpoints.arm
    try:
        with client(base_url=base, verify=info.ca_cert, timeout=60, headers=info.admin_headers) as http:
            return http.get(path, params={k: v for k, v in params.items() if v is not None})
    except httpx.HTTPError as exc:
        raise EmulatorError(
            f"cannot reach the emulator at {base}: {exc}",
            hint="is it running? start it with `azlogs emulator start` (or pass its --data-dir)",
        ) from exc


def _raise_for(response: httpx.Response) -> None:
    if response.status_code == 200:
        return
    try:
        message = response.json()["error"]["message"]
    except (ValueError, KeyError, TypeError):
        message = response.text[:500]
    raise EmulatorError(f"the emulator answered {response.status_code}: {message}")


@click.command()
@click.argument("table")
@click.option("--limit", type=int, default=100, show_default=True, help="The last N rows; 0 for all of them.")
@click.option("--workspace", default=None, help="Workspace customer id (default: the emulator's workspace).")
@click.option("--data-dir", type=click.Path(path_type=Path), default=None, help="Data dir of the emulator.")
def rows(table: str, limit: int, workspace: str | None, data_dir: Path | None) -> None:
    """Print the rows of TABLE from the emulator's workspace store as JSON lines, oldest first.

    Every row carries the standard columns Azure adds (TenantId, Type, _ResourceId, _TimeReceived,
    _ItemId); datetimes are ISO 8601 with 7 fractional digits, as Log Analytics shows them.
    """
    if limit < 0:
        raise click.BadParameter("must be 0 (all) or more", param_hint="--limit")
    info = find_discovery(data_dir)
    response = _get(info, "/_emulator/rows", {"table": table, "limit": limit, "workspace": workspace})
    _raise_for(response)
    click.echo(response.content.decode(), nl=False)


def _human(entry: dict[str, Any]) -> str:
    where = entry["stream"]
    if entry["table"]:
        where += f" -> {entry['table']}"
    if entry["column"]:
        where += f" column {entry['column']}"
    if entry["record_index"] is not None:
        where += f" record #{entry['record_index']}"
        if entry["count"] > 1:
            where += f" (+{entry['count'] - 1} more)"
    sample = f"  value: {entry['sample']}" if entry["sample"] else ""
    return (
        f"{entry['time']} {entry['status']} {entry['dcr']} {where}: {entry['kind']}: {entry['reason']}{sample}"
        f"  [request {entry['request_id']}]"
    )


@click.command()
@click.option("--limit", type=int, default=100, show_default=True, help="The last N entries.")
@click.option("--dcr", default=None, help="Only this DCR (immutable id).")
@click.option("--stream", default=None, help="Only this stream.")
@click.option("--follow", "-f", is_flag=True, help="Keep printing new entries until Ctrl-C.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option("--data-dir", type=click.Path(path_type=Path), default=None, help="Data dir of the emulator.")
def diagnostics(
    limit: int, dcr: str | None, stream: str | None, follow: bool, as_json: bool, data_dir: Path | None
) -> None:
    """Print what the emulator's ingestion endpoint dropped, changed or refused, oldest first.

    Azure answers 204 and says nothing when it drops a column, nulls a value it cannot convert,
    truncates a long field or receives an object instead of an array; the emulator writes each of
    these down, per request, naming the DCR, stream, column, record and reason.
    """
    if limit < 0:
        raise click.BadParameter("must not be negative", param_hint="--limit")
    info = find_discovery(data_dir)
    after: int | None = None
    params: dict[str, Any] = {"limit": limit, "dcr": dcr, "stream": stream}
    try:
        while True:
            response = _get(info, "/_emulator/diagnostics", {**params, "after": after})
            _raise_for(response)
            body = response.json()
            for entry in body["value"]:
                click.echo(orjson.dumps(entry).decode() if as_json else _human(entry))
            if not follow:
                return
            # From here on only what is newer than anything seen, or than the feed's end at the first look.
            after = max([after or 0, int(body.get("last", 0)), *(int(e["id"]) for e in body["value"])])
            params["limit"] = 10_000
            time.sleep(FOLLOW_INTERVAL)
    except KeyboardInterrupt:
        return


COMMANDS = (rows, diagnostics)
