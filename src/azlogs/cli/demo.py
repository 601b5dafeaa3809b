"""``azlogs demo``: the main job on the embedded emulator."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click
import httpx
from rich.console import Console
from rich.table import Table

from azlogs.auth.claims import describe_expiry, shown_claims


@click.command()
@click.option(
    "--data-dir", type=click.Path(path_type=Path), default=None, help="Keep the emulator's state here."
)
def demo(data_dir: Path | None) -> None:
    """Start the emulator in-process and get a token exactly as a script on an Azure VM does."""
    from azlogs.emulator.server import Emulator, settings_from

    console = Console()
    with tempfile.TemporaryDirectory(prefix="azlogs-demo-") as tmp:
        settings = settings_from(data_dir or Path(tmp))
        with Emulator(settings) as info:
            console.print(f"[bold]azlogs emulator[/] running (tenant {info['tenant_id']})")
            imds = info["endpoints"]["imds"]
            url = f"{imds}/metadata/identity/oauth2/token"
            console.print(
                f"GET {url}?api-version=2018-02-01&resource=https://monitor.azure.com  [dim](Metadata: true)[/]"
            )
            resp = httpx.get(
                url,
                params={"api-version": "2018-02-01", "resource": "https://monitor.azure.com"},
                headers={"Metadata": "true"},
            )
            resp.raise_for_status()
            body = resp.json()
            claims = shown_claims(body["access_token"])
            table = Table(title="token claims (the token itself is never shown)")
            table.add_column("claim")
            table.add_column("value")
            for key, value in claims.items():
                table.add_row(key, str(value))
            table.add_row("expires", describe_expiry(claims))
            console.print(table)
            endpoints = Table(title="emulator endpoints")
            endpoints.add_column("endpoint")
            endpoints.add_column("url")
            for key, value in info["endpoints"].items():
                endpoints.add_row(key, value)
            console.print(endpoints)
            console.print(f"CA certificate: {info['ca_cert']}")
