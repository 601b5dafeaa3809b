"""``azlogs provision``: table, DCR (and DCE) and role assignment from samples or a schema, through ARM.

Also the ARM target options shared with ``azlogs validate``: the emulator by default (its
``emulator.json``, read lazily: the emulator package is imported only when it is the target), Azure
when ``--subscription``, ``--resource-group`` or ``--arm-endpoint`` is given.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from azlogs._exceptions import UsageError
from azlogs.auth import SOURCES, TokenCache, resolve_cloud
from azlogs.auth.clouds import AZURE_PUBLIC
from azlogs.cli._cloud import HELP as CLOUD_HELP
from azlogs.ingest.readers import FORMATS
from azlogs.provision import (
    ArmClient,
    ArmTarget,
    ProvisionRequest,
    ProvisionResult,
    arm_credential,
    emulator_arm,
    spec_from_document,
    spec_from_samples,
)
from azlogs.provision import (
    provision as run_provision,
)

F = TypeVar("F", bound=Callable[..., Any])


def arm_options(func: F) -> F:
    """The options that choose where ARM calls go and with which identity."""
    options = [
        click.option(
            "--data-dir",
            type=click.Path(path_type=Path),
            default=None,
            help="Data dir of the emulator to target (default: the running one).",
        ),
        click.option(
            "--subscription", default=None, help="Azure: the subscription (targets Azure, not the emulator)."
        ),
        click.option("--resource-group", default=None, help="Azure: the resource group of the DCR."),
        click.option(
            "--arm-endpoint",
            default=None,
            help=f"Azure: ARM's URL [default: the cloud's, {AZURE_PUBLIC.arm_endpoint} in {AZURE_PUBLIC.name}].",
        ),
        click.option("--cloud", default=None, metavar="CLOUD", help=CLOUD_HELP),
        click.option(
            "--source",
            type=click.Choice(["auto", "cli", *SOURCES]),
            default="auto",
            show_default=True,
            help="Azure: identity for ARM (cli = the Azure CLI's login); also the identity of --assign-self.",
        ),
        click.option("--client-id", default=None, help="Client id of a user-assigned managed identity."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def dcr_options(func: F) -> F:
    """The options of the DCR that provision and migrate write: the role's principal, workspace, name."""
    options = [
        click.option(
            "--assign",
            "--assignee",
            "assign",
            default=None,
            metavar="PRINCIPAL_ID",
            help="Grant this object id (a sender's managed identity) Monitoring Metrics Publisher on the DCR.",
        ),
        click.option(
            "--assign-self",
            is_flag=True,
            help="Grant it to the identity azlogs sends with here (its token's oid).",
        ),
        click.option(
            "--principal-type",
            type=click.Choice(["ServicePrincipal", "User", "Group"]),
            default=None,
            help="Type of --assign's principal [ServicePrincipal].",
        ),
        click.option(
            "--workspace", default=None, help="Log Analytics workspace resource id (default: the emulator's)."
        ),
        click.option("--dcr-name", default=None, help="DCR resource name [dcr-<table>]."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def open_arm(
    *,
    data_dir: Path | None,
    subscription: str | None,
    resource_group: str | None,
    arm_endpoint: str | None,
    source: str,
    client_id: str | None,
    workspace: str | None = None,
    location: str | None = None,
    writing: bool = True,
    cloud: str | None = None,
) -> tuple[ArmClient, ArmTarget]:
    """An ARM client and target: Azure when any Azure option is given, else the running emulator.

    ``writing=False`` (validate) needs no workspace.
    """
    if subscription or resource_group or arm_endpoint:
        the_cloud = resolve_cloud(cloud, endpoint=arm_endpoint)
        target = ArmTarget.for_azure(
            workspace=workspace,
            subscription=subscription,
            resource_group=resource_group,
            arm_endpoint=arm_endpoint,
            location=location,
            require_workspace=writing,
            cloud=the_cloud,
        )
        credential = arm_credential(source, client_id, the_cloud)
    else:
        from azlogs.discovery import find_discovery

        arm, target = emulator_arm(find_discovery(data_dir), workspace=workspace)
        return arm, replace(target, location=location) if location else target
    return ArmClient(target.arm_endpoint, credential, verify=target.verify, audience=target.audience), target


def _self_principal(source: str, client_id: str | None, cloud: str | None = None) -> tuple[str, str]:
    """The object id and principal type of the current credential (--assign-self): the identity
    azlogs sends with here, or with ``--source cli`` the Azure CLI's signed-in user."""
    from azlogs.auth import get_token, shown_claims

    the_cloud = resolve_cloud(cloud)
    if source == "cli":
        token = TokenCache(arm_credential("cli"), the_cloud.monitor_scope).get().value
    else:
        token = get_token(source, None, client_id, the_cloud)[0].token
    claims = shown_claims(token)
    oid = claims.get("oid")
    if not oid:
        raise UsageError("the current credential's token has no oid claim", hint="give --assign PRINCIPAL_ID")
    return str(oid), "User" if claims.get("idtyp") == "user" else "ServicePrincipal"


def principal_of(
    assign: str | None,
    assign_self: bool,
    principal_type: str | None,
    source: str,
    client_id: str | None,
    cloud: str | None,
) -> tuple[str | None, str]:
    """The principal of ``--assign`` / ``--assign-self`` and its type (ServicePrincipal unless told)."""
    if assign_self:
        principal, detected = _self_principal(source, client_id, cloud)
        return principal, principal_type or detected
    return assign, principal_type or "ServicePrincipal"


def render(result: ProvisionResult) -> str:
    """The human summary: what changed, then what to paste into ``azlogs send``."""
    lines = []
    for c in result.changes:
        name = c.resource_id.rsplit("/", 1)[-1]
        detail = f" ({c.detail})" if c.detail else ""
        lines.append(f"{c.kind:<6} {c.action:<10} {name}{detail}")
    if not result.changed:
        lines.append("no change")
    lines += [
        "",
        f"endpoint: {result.endpoint}",
        f"dcr:      {result.immutable_id}",
        f"stream:   {result.stream}",
        f"table:    {result.table}",
        "",
        "send with:",
        f"  azlogs send --endpoint {shlex.quote(result.endpoint)} --dcr {result.immutable_id} "
        f"--stream {shlex.quote(result.stream)} FILE",
    ]
    lines += [f"note: {n}" for n in result.notes]
    return "\n".join(lines)


@click.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--table", required=True, help="Custom table name, NAME_CL.")
@click.option(
    "--sample",
    "samples",
    multiple=True,
    type=click.Path(dir_okay=False, allow_dash=True),
    help="A sample file (repeatable; FILES work too).",
)
@click.option(
    "--schema",
    "schema_file",
    type=click.Path(dir_okay=False, path_type=Path, exists=True),
    default=None,
    help="A schema document instead of samples (schema infer --format json, an ARM table body or template).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="auto",
    show_default=True,
    help="Format of the sample files.",
)
@click.option("--time-column", default=None, help="Sample key to fill TimeGenerated from.")
@click.option("--transform", default=None, help="transformKql to use instead of the inferred one.")
@dcr_options
@click.option("--dce", is_flag=True, help="Also create a data collection endpoint and use it.")
@click.option(
    "--mode",
    type=click.Choice(["create", "merge"]),
    default="create",
    show_default=True,
    help="merge adds new columns, never drops.",
)
@click.option("--location", default=None, help="Region of the DCR (default: the workspace's).")
@click.option(
    "--timeout",
    type=float,
    default=300.0,
    show_default=True,
    help="Seconds to wait for ARM to serve each resource.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option(
    "--env", "as_env", is_flag=True, help="Print export lines for azlogs send (AZLOGS_ENDPOINT ...)."
)
@arm_options
def provision(
    files: tuple[str, ...],
    table: str,
    samples: tuple[str, ...],
    schema_file: Path | None,
    fmt: str,
    time_column: str | None,
    transform: str | None,
    assign: str | None,
    assign_self: bool,
    principal_type: str | None,
    workspace: str | None,
    dcr_name: str | None,
    dce: bool,
    mode: str,
    location: str | None,
    timeout: float,
    as_json: bool,
    as_env: bool,
    data_dir: Path | None,
    subscription: str | None,
    resource_group: str | None,
    arm_endpoint: str | None,
    source: str,
    client_id: str | None,
    cloud: str | None,
) -> None:
    """Create or update TABLE, its Direct DCR and the role assignment, from sample FILES or --schema.

    Idempotent: a second run with the same input changes nothing and says "no change". Against the
    running emulator by default; against Azure with --subscription / --resource-group / --arm-endpoint.
    """
    paths = [*samples, *files]
    if bool(paths) == bool(schema_file):
        raise UsageError("give sample files (--sample FILE or FILE...) or --schema FILE, one of the two")
    if assign and assign_self:
        raise UsageError("--assign and --assign-self exclude each other")
    if as_json and as_env:
        raise UsageError("--json and --env exclude each other")
    if schema_file is not None:
        try:
            doc = json.loads(schema_file.read_text())
        except (OSError, ValueError) as exc:
            raise UsageError(f"cannot read the schema document {schema_file}: {exc}") from exc
        spec = spec_from_document(doc, table=table, transform=transform)
    else:
        spec, inferred, bad = spec_from_samples(
            paths, table=table, fmt=cast(Any, fmt), time_column=time_column, transform=transform
        )
        for b in bad:
            click.echo(f"warning: {b.source}:{b.line}: {b.reason} (line skipped)", err=True)
        for r in inferred.renames:
            click.echo(f"rename: {r.original!r} -> {r.column} ({r.reason})", err=True)
    principal, ptype = principal_of(assign, assign_self, principal_type, source, client_id, cloud)
    arm, target = open_arm(
        data_dir=data_dir,
        subscription=subscription,
        resource_group=resource_group,
        arm_endpoint=arm_endpoint,
        source=source,
        client_id=client_id,
        workspace=workspace,
        location=location,
        cloud=cloud,
    )
    request = ProvisionRequest(
        spec, mode=cast(Any, mode), dcr_name=dcr_name, dce=dce, principal_id=principal, principal_type=ptype
    )
    with arm:
        result = run_provision(arm, target, request, timeout=timeout)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
    elif as_env:
        click.echo("\n".join(f"export {k}={shlex.quote(v)}" for k, v in result.env().items()))
    else:
        click.echo(render(result))
