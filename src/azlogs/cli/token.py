"""``azlogs token``: obtain a token the way the code would, and show which source and claims (never the token)."""

from __future__ import annotations

import json

import click

from azlogs.auth import SOURCES, describe_expiry, get_token, shown_claims
from azlogs.auth.clouds import AZURE_PUBLIC
from azlogs.cli._cloud import cloud_option


@click.command()
@click.option(
    "--resource",
    default=None,
    help="Audience of the token [default: the cloud's Logs Ingestion audience, "
    f"{AZURE_PUBLIC.monitor_audience} in {AZURE_PUBLIC.name}].",
)
@click.option(
    "--source",
    type=click.Choice(["auto", *SOURCES]),
    default="auto",
    show_default=True,
    help="Identity source; auto detects it like azure-identity does.",
)
@click.option("--client-id", default=None, help="Client id of a user-assigned identity.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
@click.option("--raw", is_flag=True, help="Also print the access token itself (it is a secret).")
@cloud_option
def token(
    resource: str | None, source: str, client_id: str | None, as_json: bool, raw: bool, cloud: str | None
) -> None:
    """Get a token for RESOURCE from the identity of this host and show its claims."""
    access, detection = get_token(source, resource, client_id, cloud)
    claims = shown_claims(access.token)
    if as_json:
        out = {
            "source": detection.source,
            "reason": detection.reason,
            "claims": claims,
            "expires_on": access.expires_on,
        }
        if raw:
            out["access_token"] = access.token
        click.echo(json.dumps(out, indent=2))
        return
    click.echo(f"source:   {detection.source}")
    click.echo(f"because:  {detection.reason}")
    for key in ("oid", "appid", "aud", "tid", "iss", "idtyp", "xms_mirid"):
        if key in claims:
            click.echo(f"{key + ':':<9} {claims[key]}")
    click.echo(f"expires:  {describe_expiry(claims)}")
    if raw:
        click.echo(f"token:    {access.token}")
