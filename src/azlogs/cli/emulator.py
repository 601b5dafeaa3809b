"""``azlogs emulator``: run the local emulator and point clients at it."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from azlogs._exceptions import EmulatorError
from azlogs.cli.emulator_data import COMMANDS as DATA_COMMANDS
from azlogs.discovery import find_discovery
from azlogs.emulator.discovery import SOURCES, az_commands, environment, render_exports


def require_emulator_extra() -> None:
    """A clear error when the emulator's dependencies are not installed (a client-only install)."""
    import importlib.util

    missing = [
        m for m in ("uvicorn", "starlette", "cryptography", "jwt") if importlib.util.find_spec(m) is None
    ]
    if missing:
        raise EmulatorError(
            f"the emulator needs packages this installation lacks: {', '.join(missing)}",
            hint="pip install 'azlogs[emulator]' (a client-only install sends, validates and queries without it)",
        )


@click.group()
def emulator() -> None:
    """The local emulator of every Azure endpoint azlogs talks to."""


@emulator.command()
@click.option(
    "--data-dir", type=click.Path(path_type=Path), default=None, help="State, certificates, emulator.json."
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--port", type=int, default=0, show_default=True, help="HTTP port of the identity endpoints (0: any)."
)
@click.option(
    "--tls-port", type=int, default=0, show_default=True, help="HTTPS port of everything else (0: any)."
)
@click.option(
    "--in-memory", is_flag=True, help="Keep nothing on disk but emulator.json and the certificates."
)
@click.option("--config", "config_file", type=click.Path(path_type=Path, exists=True), default=None)
@click.option(
    "--log-file", type=click.Path(path_type=Path), default=None, help="Request log (default: data dir)."
)
@click.option(
    "--cloud",
    default=None,
    metavar="CLOUD",
    help="The Azure cloud to emulate: AzurePublic (default), AzureUSGovernment, AzureChinaCloud; its "
    "audiences only are granted and accepted.",
)
@click.option(
    "--data-collector-api",
    default=None,
    metavar="supported|retired|off",
    help="The HTTP Data Collector API: as it worked (supported, the default), as Learn says it answers "
    "since 2026-09-14 (retired: still ingesting), or gone (off: 404). Also emulator.data_collector_api.",
)
def start(
    data_dir: Path | None,
    host: str,
    port: int,
    tls_port: int,
    in_memory: bool,
    config_file: Path | None,
    log_file: Path | None,
    cloud: str | None,
    data_collector_api: str | None,
) -> None:
    """Run the emulator in the foreground until Ctrl-C or SIGTERM."""
    require_emulator_extra()
    from azlogs.emulator.server import Emulator, settings_from

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    settings = settings_from(
        data_dir,
        host=host,
        port=port,
        tls_port=tls_port,
        in_memory=in_memory,
        config_file=config_file,
        log_file=log_file,
        cloud=cloud,
        data_collector_api=data_collector_api,
    )
    emu = Emulator(settings)
    click.echo(f"azlogs emulator starting as {settings.cloud.name}; data dir {settings.data_dir}", err=True)
    emu.run()


@emulator.command()
@click.option("--source", type=click.Choice(SOURCES), default=None, help="Which identity source to emulate.")
@click.option(
    "--az",
    "for_az",
    is_flag=True,
    help="Print the Azure CLI commands (cloud registration, CA trust) that point `az` at the emulator.",
)
@click.option("--data-dir", type=click.Path(path_type=Path), default=None)
@click.option("--client-id", default=None, help="Select a user-assigned identity (sets AZURE_CLIENT_ID).")
def env(source: str | None, for_az: bool, data_dir: Path | None, client_id: str | None) -> None:
    """Print `export` lines that point azure-identity and azlogs at a running emulator.

    Use it as: eval "$(azlogs emulator env --source vm)". The output contains emulator-local
    secrets (IDENTITY_HEADER, a client secret) by design: it is meant for eval, not for a log.

    With --az it prints instead what points an unchanged Azure CLI at the emulator (no secrets):
    eval "$(azlogs emulator env --az)", then `az login`.
    """
    if for_az == (source is not None):
        raise click.UsageError("give exactly one of --source or --az")
    if for_az and client_id is not None:
        raise click.UsageError(
            "--client-id goes with --source (az login --identity --client-id ID selects one)"
        )
    info = find_discovery(data_dir)
    if for_az:
        click.echo(az_commands(info), nl=False)
        return
    assert source is not None
    click.echo(render_exports(environment(info, source, client_id)), nl=False)


@emulator.command(name="open")
@click.option("--data-dir", type=click.Path(path_type=Path), default=None)
@click.option("--print-url", "print_only", is_flag=True, help="Print the portal's URL; open no browser.")
def open_portal(data_dir: Path | None, print_only: bool) -> None:
    """Open the running emulator's portal (endpoints.portal of its emulator.json) in a web browser.

    The portal asks for the admin key (admin.key in emulator.json) once per browser session. The
    browser must trust the emulator's CA (ca_cert in emulator.json) or it warns about the certificate.
    Which browser: Python's webbrowser module (set $BROWSER to choose).
    """
    import webbrowser

    info = find_discovery(data_dir)
    url = info.endpoints.portal
    click.echo(url)
    if print_only:
        return
    click.echo(f"sign in with admin.key from {info.where}; the browser must trust {info.ca_cert}", err=True)
    if not webbrowser.open(url):
        raise EmulatorError(
            f"no web browser could be started for {url}",
            hint="open the URL yourself, or set $BROWSER (Python's webbrowser module reads it)",
        )


for _command in DATA_COMMANDS:  # rows, diagnostics (cli/emulator_data.py)
    emulator.add_command(_command)
