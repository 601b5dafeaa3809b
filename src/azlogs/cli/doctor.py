"""``azlogs doctor``: every link from identity to ingestion, ok / failed / skipped, with the fix."""

from __future__ import annotations

import json

import click

from azlogs.auth import SOURCES
from azlogs.cli._cloud import cloud_option
from azlogs.cli._exit import FAILED, exit_with
from azlogs.doctor import DoctorOptions, DoctorReport, parse_since, run_doctor

_MARK = {"ok": "ok     ", "failed": "FAILED ", "skipped": "skipped"}


def render(report: DoctorReport) -> str:
    """One line per step, the fix under each failed one, and a verdict."""
    width = max((len(s.name) for s in report.steps), default=0)
    lines = []
    for s in report.steps:
        lines.append(f"{_MARK[s.status]}  {s.name:<{width}}  {s.detail}")
        if s.status == "failed" and s.fix:
            lines.append(f"{'':7}  {'':<{width}}  fix: {s.fix}")
    failed = [s.name for s in report.failed]
    lines.append(
        f"{len(failed)} step(s) failed: {', '.join(failed)}" if failed else "all checked steps are ok"
    )
    return "\n".join(lines)


@click.command()
@click.option(
    "--endpoint",
    envvar="AZLOGS_ENDPOINT",
    default=None,
    help="DCE or DCR logs-ingestion endpoint [env AZLOGS_ENDPOINT].",
)
@click.option(
    "--dcr",
    envvar="AZLOGS_DCR",
    default=None,
    help="DCR immutable id (dcr-...) or resource id [env AZLOGS_DCR].",
)
@click.option("--stream", envvar="AZLOGS_STREAM", default=None, help="Stream name [env AZLOGS_STREAM].")
@click.option("--probe", is_flag=True, help="Also upload one marked record.")
@click.option("--source", type=click.Choice(["auto", *SOURCES]), default="auto", show_default=True)
@click.option("--client-id", default=None, help="Client id of a user-assigned managed identity.")
@click.option(
    "--arm-endpoint",
    default=None,
    help="ARM to read the DCR and role assignments from (default: the emulator's when its env is set, else Azure's).",
)
@click.option(
    "--subscription",
    default=None,
    help="Subscription to find the DCR in by immutable id (default: the identity's own).",
)
@click.option(
    "--no-arm", is_flag=True, help="Do not read ARM; judge DCR, stream and role by an empty upload."
)
@click.option(
    "--since",
    default=None,
    help="Also read what Azure recorded as dropped in this window (DCRLogErrors, DCR metrics): 30m, 1h, 2d.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the steps as JSON.")
@cloud_option
def doctor(
    endpoint: str | None,
    dcr: str | None,
    stream: str | None,
    probe: bool,
    source: str,
    client_id: str | None,
    arm_endpoint: str | None,
    subscription: str | None,
    no_arm: bool,
    since: str | None,
    as_json: bool,
    cloud: str | None,
) -> None:
    """Check identity, token, endpoint, DCR, stream and role; exit 1 if any step failed."""
    window = parse_since(since) if since else None
    options = DoctorOptions(
        endpoint=endpoint,
        dcr=dcr,
        stream=stream,
        probe=probe,
        source=source,
        client_id=client_id,
        arm_endpoint=arm_endpoint,
        subscription=subscription,
        use_arm=not no_arm,
        cloud=cloud,
        since=window,
    )
    report = run_doctor(options)
    click.echo(json.dumps(report.to_json(), indent=2) if as_json else render(report))
    if not report.ok:
        exit_with(FAILED)
