"""``azlogs migrate TABLE_CL``: a classic Data Collector API table to the Logs Ingestion API, same columns.

Renders :func:`azlogs.provision.plan_migration` and :func:`azlogs.provision.migrate_table`; targets the
running emulator by default and Azure with the ARM options of ``azlogs provision``. ``--output FILE``
writes (or adds to) the mapping document the agent's data-collector bridge reads.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import click

from azlogs._exceptions import UsageError
from azlogs.cli.provision import arm_options, dcr_options, open_arm, principal_of
from azlogs.provision import MigrationPlan, MigrationResult, migrate_table, plan_migration
from azlogs.schema import migration_map


def _pairs(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for v in values:
        name, sep, kind = v.partition("=")
        if not sep or not name or not kind:
            raise UsageError(f"--field-type {v!r}: write PROPERTY=TYPE, e.g. Name=dynamic")
        out[name] = kind
    return out


def render_plan(plan: MigrationPlan) -> str:
    """The plan as a human reads it: steps, the stream's columns and the transformKql."""
    lines = ["plan:"] + [f"  {s}" for s in plan.steps]
    lines.append(f"stream {plan.mapping.stream.name} (the legacy payload, unchanged):")
    for col in plan.mapping.stream.to_arm()["columns"]:
        targets = ", ".join(plan.mapping.fields.get(col["name"], [])) or "TimeGenerated"
        lines.append(f"  {col['name']:<24} {col['type']:<9} -> {targets}")
    for name, why in plan.mapping.unmapped.items():
        lines.append(f"  (no new values for {name}: {why})")
    tg = plan.time_generated_field
    lines.append(
        f"TimeGenerated: {'from ' + tg + ' (else the ingestion time)' if tg else 'the ingestion time, now()'}"
    )
    lines += ["transformKql:", f"  {plan.mapping.transform_kql}"]
    return "\n".join(lines)


def render_result(result: MigrationResult) -> str:
    """What was done, then where legacy payloads go now."""
    plan = result.plan
    dcr = result.provisioned.dcr_id.rsplit("/", 1)[-1]
    if result.already_migrated:
        head = [f"already migrated: {plan.table.name} -> DCR {dcr} (nothing changed)"]
    else:
        head = [f"table  {'migrated' if result.migrated else 'unchanged (already DataCollectionRuleBased)'}"]
        for c in result.provisioned.changes:
            if c.kind == "table":
                continue
            detail = f" ({c.detail})" if c.detail else ""
            head.append(f"{c.kind:<6} {c.action:<10} {c.resource_id.rsplit('/', 1)[-1]}{detail}")
    p = result.provisioned
    lines = [
        *head,
        "",
        f"log type: {plan.log_type}",
        f"endpoint: {p.endpoint}",
        f"dcr:      {p.immutable_id}",
        f"stream:   {p.stream}",
        f"table:    {p.table}",
        "",
        "send the same JSON with:",
        f"  azlogs send --endpoint {shlex.quote(p.endpoint)} --dcr {p.immutable_id} --stream {shlex.quote(p.stream)} FILE",
    ]
    lines += [f"note: no new values for {name}: {why}" for name, why in plan.mapping.unmapped.items()]
    if p.role_assignment_id is None:
        lines.append(
            "note: no role assigned here: give the sender's identity Monitoring Metrics Publisher on the DCR "
            "(run again with --assignee OBJECT_ID or --assign-self)"
        )
    lines += [f"note: {n}" for n in p.notes]
    return "\n".join(lines)


@click.command()
@click.argument("table")
@click.option(
    "--time-generated-field",
    default=None,
    metavar="PROPERTY",
    help="The property senders named in time-generated-field; TimeGenerated comes from it [the ingestion time].",
)
@click.option(
    "--field-type",
    "field_types",
    multiple=True,
    metavar="PROPERTY=TYPE",
    help="Stream type of a property stored under two types (dynamic routes each value by its JSON type).",
)
@click.option(
    "--skip-column",
    "skip_columns",
    multiple=True,
    metavar="COLUMN",
    help="A column no legacy property maps to: leave it without new values (repeatable).",
)
@dcr_options
@click.option("--location", default=None, help="Region of the DCR (default: the workspace's).")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write (or add to) the mapping document for the agent's data-collector input.",
)
@click.option("--dry-run", is_flag=True, help="Print the plan and the transformKql; change nothing.")
@click.option(
    "--timeout", type=float, default=300.0, show_default=True, help="Seconds to wait for ARM per resource."
)
@click.option("--json", "as_json", is_flag=True, help="Print the plan or the result as JSON.")
@arm_options
def migrate(
    table: str,
    time_generated_field: str | None,
    field_types: tuple[str, ...],
    skip_columns: tuple[str, ...],
    assign: str | None,
    assign_self: bool,
    principal_type: str | None,
    workspace: str | None,
    dcr_name: str | None,
    location: str | None,
    output: Path | None,
    dry_run: bool,
    timeout: float,
    as_json: bool,
    data_dir: Path | None,
    subscription: str | None,
    resource_group: str | None,
    arm_endpoint: str | None,
    source: str,
    client_id: str | None,
    cloud: str | None,
) -> None:
    """Migrate TABLE (a classic NAME_CL table of the Data Collector API) to the Logs Ingestion API.

    Migrates the table (its columns and rows stay), creates a Direct DCR whose stream accepts the JSON
    legacy senders post, unchanged, and maps it onto the suffixed columns, and grants the role.
    Idempotent: a second run says "already migrated". Against the running emulator by default; against
    Azure with --subscription / --resource-group / --arm-endpoint.
    """
    if assign and assign_self:
        raise UsageError("--assignee and --assign-self exclude each other")
    types = _pairs(field_types)
    principal, ptype = principal_of(
        assign, assign_self and not dry_run, principal_type, source, client_id, cloud
    )
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
    with arm:
        plan = plan_migration(
            arm,
            target,
            table,
            time_generated_field=time_generated_field,
            field_types=types,
            skip_columns=skip_columns,
            dcr_name=dcr_name,
        )
        if dry_run:
            click.echo(
                json.dumps({"dry_run": True, **plan.to_json()}, indent=2) if as_json else render_plan(plan)
            )
            return
        existing = migration_map.read_map(output) if output is not None and output.exists() else None
        if existing is not None:
            migration_map.check_workspace(existing, plan.workspace_id)  # before anything changes
        result = migrate_table(
            arm, target, plan, principal_id=principal, principal_type=ptype, timeout=timeout
        )
    if output is not None:
        doc = migration_map.merged(existing, plan.workspace_id, plan.log_type, result.route())
        migration_map.write_map(output, doc)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
    else:
        click.echo(render_result(result))
        if output is not None:
            click.echo(f"mapping: {output} (Log-Type {plan.log_type})")
