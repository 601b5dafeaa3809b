"""``azlogs send``: records from files or stdin into a DCR stream, every failure accounted for."""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, cast

import click

from azlogs._exceptions import UsageError
from azlogs.auth import SOURCES
from azlogs.cli._cloud import cloud_option
from azlogs.cli._exit import FAILED, exit_with
from azlogs.ingest import UploadResult, dry_run_files, send_files
from azlogs.ingest.deadletter import DeadLetter, Failure
from azlogs.ingest.readers import FORMATS, Format

# How many failures the terminal shows (every one is in the dead-letter file).
SHOWN_FAILURES = 5


def _counting(records: Iterable[Any], counter: list[int]) -> Iterator[Any]:
    for record in records:
        counter[0] += 1
        yield record


def progress_upload(
    client: Any, stream: str, reader: Iterable[Any], on_error: Any, show: bool
) -> UploadResult:
    """Upload with a live records/s line on a terminal (records read; the summary says what was sent)."""
    counter = [0]
    records = _counting(reader, counter)
    if not show:
        result: UploadResult = client.upload(stream, records, on_error=on_error)
        return result
    import threading

    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    holder: dict[str, Any] = {}

    def work() -> None:
        try:
            holder["result"] = client.upload(stream, records, on_error=on_error)
        except BaseException as exc:
            holder["error"] = exc

    thread = threading.Thread(target=work, daemon=True)
    start = time.monotonic()
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), transient=True, console=None
    ) as progress:
        task = progress.add_task("reading")
        thread.start()
        while thread.is_alive():
            thread.join(0.2)
            elapsed = max(time.monotonic() - start, 1e-6)
            progress.update(
                task, description=f"{counter[0]:,} records read, {counter[0] / elapsed:,.0f} records/s"
            )
    if "error" in holder:
        raise holder["error"]
    result = holder["result"]
    return result


@click.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--endpoint", envvar="AZLOGS_ENDPOINT", help="DCE or DCR logs-ingestion endpoint [env AZLOGS_ENDPOINT]."
)
@click.option("--dcr", envvar="AZLOGS_DCR", help="DCR immutable id, dcr-... [env AZLOGS_DCR].")
@click.option("--stream", envvar="AZLOGS_STREAM", help="Stream name, Custom-... [env AZLOGS_STREAM].")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="auto", show_default=True)
@click.option("--source", type=click.Choice(["auto", *SOURCES]), default="auto", show_default=True)
@click.option("--client-id", default=None, help="Client id of a user-assigned managed identity.")
@click.option("--concurrency", type=click.IntRange(1, 64), default=None, help="Requests in flight.")
@click.option("--dead-letter", type=click.Path(path_type=Path), default=None, help="Where unsent records go.")
@click.option("--dry-run", is_flag=True, help="Read and batch, send nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@cloud_option
def send(
    files: tuple[str, ...],
    endpoint: str | None,
    dcr: str | None,
    stream: str | None,
    fmt: str,
    source: str,
    client_id: str | None,
    concurrency: int | None,
    dead_letter: Path | None,
    dry_run: bool,
    as_json: bool,
    cloud: str | None,
) -> None:
    """Send records from FILES (JSON array, NDJSON or CSV; - or none for stdin) to a DCR stream.

    Lines that cannot be read and records the service refuses are written to a dead-letter file
    (NDJSON: file, line, reason, the record) and counted; the exit code is 1 if any record failed.
    """
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    dead = DeadLetter(dead_letter or Path(f"azlogs-dead-letter-{stamp}.ndjson"))
    paths = list(files) or ["-"]
    form = cast(Format, fmt)
    try:
        if dry_run:
            plan = dry_run_files(paths, dead, fmt=form)
            summary = (
                f"dry run: {plan.records} records in {plan.requests} requests "
                f"({plan.request_bytes:,} bytes), {plan.failed} failed"
            )
            out: dict[str, Any] = {
                "dry_run": True,
                "records": plan.records,
                "requests": plan.requests,
                "bytes": plan.request_bytes,
                "failed": plan.failed,
                "bad_lines": plan.bad_lines,
            }
            _finish(out, summary, plan.failed, dead, as_json)
            return
        missing = [n for n, v in (("--endpoint", endpoint), ("--dcr", dcr), ("--stream", stream)) if not v]
        if missing:
            raise UsageError(
                f"missing {', '.join(missing)}",
                hint="give them as options or as AZLOGS_ENDPOINT, AZLOGS_DCR, AZLOGS_STREAM",
            )
        assert endpoint is not None
        assert dcr is not None
        assert stream is not None
        from azlogs.auth import choose, resolve_cloud
        from azlogs.ingest import LogsClient

        the_cloud = resolve_cloud(cloud, endpoint=endpoint)
        choice = choose(source, client_id, cloud=the_cloud)
        kwargs: dict[str, Any] = {}
        if concurrency:
            kwargs["max_concurrency"] = concurrency
        show = sys.stderr.isatty() and not as_json
        with LogsClient(endpoint, dcr, choice.credential, cloud=the_cloud, **kwargs) as client:
            sent = send_files(
                client,
                stream,
                paths,
                dead,
                fmt=form,
                upload=lambda records, on_error: progress_upload(client, stream, records, on_error, show),
            )
        result = sent.result
        out = {**result.to_dict(), "bad_lines": sent.bad_lines, "source": choice.detection.source}
        rate = result.records_sent / result.duration if result.duration else 0.0
        summary = (
            f"sent {result.records_sent:,} of {sent.records_read:,} records to {stream} in "
            f"{result.requests} requests ({result.retries} retries) in {result.duration:.2f} s "
            f"({rate:,.0f} records/s); {sent.failed} failed"
        )
        if result.stopped:
            # Why nothing more was sent (no identity, a refused token, an unknown stream or DCR ...), in
            # full: the per-record lines below are cut to one line each.
            summary += f"\nthe upload stopped: {result.stopped}"
        _finish(out, summary, sent.failed, dead, as_json)
    finally:
        dead.close()


def _shown(failure: Failure) -> str:
    lines = failure.reason.strip().splitlines()
    reason = lines[0] if lines else ""
    reason = reason if len(reason) <= 200 else reason[:199] + "…"
    return f"  {failure.where}: {reason}"


def _finish(out: dict[str, Any], summary: str, failed: int, dead: DeadLetter, as_json: bool) -> None:
    if failed:
        out["dead_letter"] = str(dead.path)
        out["first_failures"] = [
            {"source": f.source, "line": f.line, "offset": f.offset, "reason": f.reason, "code": f.code}
            for f in dead.failures[:SHOWN_FAILURES]
        ]
    if as_json:
        click.echo(json.dumps(out, default=str))
    else:
        click.echo(summary)
        if failed:
            shown = dead.failures[:SHOWN_FAILURES]
            for failure in shown:
                click.echo(_shown(failure))
            more = dead.count - len(shown)
            if more > 0:
                click.echo(f"  and {more:,} more in {dead.path}")
            else:
                click.echo(f"  (every failure, with its record, is in {dead.path})")
    if failed:
        dead.close()
        exit_with(FAILED)
