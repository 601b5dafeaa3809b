"""``azlogs agent``: run the tailing agent, check its config, show its status."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import click

from azlogs._exceptions import UsageError
from azlogs.cli._exit import FAILED, exit_with

_CONFIG = click.Path(dir_okay=False, path_type=Path)


@click.group(invoke_without_command=True)
@click.option("--config", "-c", "config", type=_CONFIG, default=None, help="The agent's TOML file (runs it).")
@click.pass_context
def agent(ctx: click.Context, config: Path | None) -> None:
    """Tail files (or stdin) and ship them to Azure Monitor through a durable spool.

    `azlogs agent --config FILE` is `azlogs agent run --config FILE`. SIGTERM drains the spool for
    drain_timeout seconds (a second SIGTERM or SIGINT ends the drain at once) and keeps the rest for
    the next start; SIGHUP reloads the config.
    """
    ctx.obj = config
    if ctx.invoked_subcommand is None:
        if config is None:
            raise UsageError(
                "azlogs agent needs --config FILE (or a subcommand: run, check, status)",
                hint="see docs/agent.md for a config example",
            )
        ctx.invoke(run, config=config)


def _config(ctx: click.Context, config: Path | None) -> Path:
    path = config or ctx.obj
    if path is None:
        raise UsageError("--config FILE is required")
    return Path(path)


@agent.command()
@click.option("--config", "-c", "config", type=_CONFIG, default=None, help="The agent's TOML file.")
@click.pass_context
def run(ctx: click.Context, config: Path | None) -> None:
    """Run the agent in the foreground until SIGTERM or SIGINT."""
    from azlogs.agent import Agent, load_config, setup_logging

    cfg = load_config(_config(ctx, config))
    setup_logging(cfg.log_format, cfg.log_level)
    running = Agent(cfg)
    running.install_signals()
    exit_with(running.run())


@agent.command()
@click.option("--config", "-c", "config", type=_CONFIG, default=None, help="The agent's TOML file.")
@click.pass_context
def check(ctx: click.Context, config: Path | None) -> None:
    """Read the config and say what the agent would do, without starting it."""
    from azlogs.agent import load_config, route_of, routes_of

    cfg = load_config(_config(ctx, config))
    click.echo(f"config {cfg.path}: ok")
    click.echo(
        f"state dir {cfg.state_dir}; spool up to {cfg.spool.max_bytes:,} bytes (fsync {cfg.spool.fsync})"
    )
    for i in cfg.inputs:
        identity = f"identity {i.source}{', client id ' + i.client_id if i.client_id else ''}"
        if i.type == "data-collector" and i.listen is not None:
            click.echo(
                f"input {i.name}: Data Collector API on {i.listen.scheme}://{i.listen.host}:{i.listen.port} "
                f"for workspace {i.workspace_id} ({identity})"
            )
            for lt, route in zip(i.log_types, routes_of(i), strict=True):
                click.echo(f"  Log-Type {lt.log_type} -> {lt.stream} on {lt.dcr} (spool key {route.key})")
            continue
        if i.listen is not None:
            what = f"POST {i.listen.scheme}://{i.listen.host}:{i.listen.port}{i.http_path} (auth {i.auth})"
        else:
            what = ", ".join(i.paths) if i.type == "file" else "stdin"
        click.echo(
            f"input {i.name}: {what} -> {i.parser} -> {i.stream} on {i.dcr} "
            f"({identity}; spool key {route_of(i).key})"
        )


@agent.command()
@click.option("--config", "-c", "config", type=_CONFIG, default=None, help="The agent's TOML file.")
@click.option(
    "--state-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Read DIR/status.json.",
)
@click.option("--url", default=None, help="A status endpoint, e.g. http://127.0.0.1:9464 (loopback only).")
@click.option("--json", "as_json", is_flag=True, help="Print the status document as JSON.")
@click.pass_context
def status(
    ctx: click.Context, config: Path | None, state_dir: Path | None, url: str | None, as_json: bool
) -> None:
    """Show a running agent's counters: per input, per stream, spool and identity.

    Exit code 0 when the agent is running, 1 when it is not (the last status is still shown).
    """
    doc = _read_status(ctx, config, state_dir, url)
    alive = _alive(doc)
    doc["running"] = alive
    if as_json:
        click.echo(json.dumps(doc, indent=2))
    else:
        _render(doc, alive)
    if not alive:
        exit_with(FAILED)


def _read_status(
    ctx: click.Context, config: Path | None, state_dir: Path | None, url: str | None
) -> dict[str, Any]:
    if url:
        import httpx

        host = httpx.URL(url).host
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise UsageError(f"--url must be a loopback address, not {host}")
        try:
            from azlogs._http import client

            with client(local=True, timeout=5) as http:  # the agent's own loopback listener: never a proxy
                r = http.get(url.rstrip("/") + "/status")
        except httpx.HTTPError as exc:
            raise UsageError(
                f"no agent status at {url}: {exc}", hint="is the agent running with http_port set?"
            ) from exc
        data: dict[str, Any] = r.json()
        return data
    if state_dir is None:
        from azlogs.agent import load_config

        path = config or ctx.obj
        if path is None:
            raise UsageError("give --config FILE, --state-dir DIR or --url URL")
        state_dir = load_config(path).state_dir
    file = state_dir / "status.json"
    try:
        loaded: dict[str, Any] = json.loads(file.read_text())
    except FileNotFoundError:
        raise UsageError(
            f"no status at {file}: the agent has not run with this state directory",
            hint="start it with: azlogs agent run --config FILE",
        ) from None
    return loaded


def _alive(doc: dict[str, Any]) -> bool:
    if doc.get("state") == "stopped":
        return False
    pid = doc.get("pid")
    if isinstance(pid, int):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass
    return time.time() - float(doc.get("updated_epoch", 0)) < 120


def _render(doc: dict[str, Any], alive: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    # piped output is read by scripts and people alike: do not cut stream names at 80 columns
    console = Console(width=None if sys.stdout.isatty() else 200)
    t = doc["totals"]
    state = doc["state"] if alive else f"NOT RUNNING (last state {doc['state']})"
    console.print(f"[bold]azlogs agent[/bold] pid {doc['pid']}: {state}; status of {doc['updated']}")
    console.print(
        f"records in {t['records_in']:,} | spooled {t['spooled'] if t['spooled'] is not None else '?'} | "
        f"sent {t['sent']:,} | retried {t['retried']:,} | dead-lettered {t['dead_lettered']:,} | "
        f"bad lines {t['bad_lines']:,} | corrupt skipped {t['corrupt_skipped'] or 0}"
    )
    inputs = Table(
        "input",
        "type",
        "lines read",
        "records in",
        "bad lines",
        "files / listen",
        "waiting on",
        title="inputs",
    )
    for name, i in doc["inputs"].items():
        where = str(len(i["files"]))
        if i.get("listen"):  # an http or data-collector input
            where = f"{i['listen']} ({i.get('requests', 0):,} requests, {i.get('refused', 0):,} refused)"
        inputs.add_row(
            name,
            i["type"],
            f"{i['lines_read']:,}",
            f"{i['records_in']:,}",
            str(i["bad_lines"]),
            where,
            i["blocked"] or ("finished" if i["finished"] else ""),
        )
    console.print(inputs)
    streams = Table(
        "stream", "identity", "sent", "pending", "retried", "dead-lettered", "last error", title="streams"
    )
    for s in doc["streams"].values():
        streams.add_row(
            s["stream"],
            s["identity"],
            f"{s['records_sent']:,}",
            f"{s['pending']:,}",
            str(s["retried"]),
            str(s["dead_lettered"]),
            (s["last_error"] or "")[:80],
        )
    console.print(streams)
    sp = doc.get("spool")
    if sp:
        console.print(
            f"spool {sp['path']}: {sp['records_pending']:,} records pending, {sp['disk_bytes']:,} of "
            f"{sp['max_bytes']:,} bytes, {sp['corrupt_records']} corrupt records skipped, "
            f"{sp['torn_tails']} torn tails"
        )
    for ident in doc.get("identities", []):
        left = ident.get("expires_in")
        expiry = (
            f"token expires {ident['expires_on']} (in {left // 60} min)"
            if left is not None
            else "no token yet"
        )
        who = f" oid {ident['oid']}" if ident.get("oid") else ""
        err = f"; last error: {ident['last_error']}" if ident.get("last_error") else ""
        console.print(f"identity {ident['source']}{who}: {expiry}{err}")
    for e in doc.get("recent_errors", [])[-5:]:
        console.print(f"[yellow]{e['time']} {e['where']}: {e['error'][:200]}[/yellow]")
