"""``azlogs demo``: the main job on the embedded emulator, step by step, as it would run on an Azure VM."""

from __future__ import annotations

import os
import ssl
import tempfile
import time
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from azlogs import _http
from azlogs.auth.claims import describe_expiry, shown_claims
from azlogs.auth.clouds import AZURE_PUBLIC
from azlogs.discovery import Discovery

DEMO_TABLE = "AzlogsDemo_CL"


def _vm_environment(info: Discovery) -> dict[str, str | None]:
    """This process becomes 'a script on the emulated VM': IMDS and the CA of the emulator."""
    from azlogs.emulator.discovery import environment

    return environment(info, "vm")


@click.command()
@click.option("--records", "count", type=click.IntRange(1, 10_000_000), default=100_000, show_default=True)
@click.option(
    "--data-dir", type=click.Path(path_type=Path), default=None, help="Keep the emulator's state here."
)
def demo(count: int, data_dir: Path | None) -> None:
    """Start the emulator in-process, provision a table and DCR, send records with the VM's identity, read them back."""
    from azlogs.cli.emulator import require_emulator_extra

    require_emulator_extra()
    from azlogs.emulator.sample import COLUMNS, make_records
    from azlogs.emulator.server import Emulator, settings_from
    from azlogs.facts import LOG_ANALYTICS_READER_ROLE_ID
    from azlogs.ingest import LogsClient
    from azlogs.provision import ProvisionRequest, assign_role, emulator_arm, provision, spec_from_columns
    from azlogs.query import query_workspace

    console = Console(highlight=False)
    with tempfile.TemporaryDirectory(prefix="azlogs-demo-") as tmp:
        state = data_dir or Path(tmp)
        settings = settings_from(state, in_memory=data_dir is None, log_file=state / "requests.log")
        with Emulator(settings) as info:
            console.rule("[bold]1. the emulator")
            console.print(f"tenant {info.tenant_id}, subscription {info.subscription_id}")
            console.print(f"identity endpoints {info.endpoints.imds}, HTTPS {info.endpoints.arm}")

            console.rule("[bold]2. a token, exactly as a script on an Azure VM gets one")
            url = f"{info.endpoints.imds}/metadata/identity/oauth2/token"
            resource = AZURE_PUBLIC.monitor_audience
            console.print(f"GET {url}?api-version=2018-02-01&resource={resource}  (Metadata: true)")
            with _http.client(local=True) as http:  # an identity endpoint is never reached through a proxy
                resp = http.get(
                    url,
                    params={"api-version": "2018-02-01", "resource": resource},
                    headers={"Metadata": "true"},
                )
            resp.raise_for_status()
            claims = shown_claims(resp.json()["access_token"])
            console.print(
                f"  oid {claims['oid']}  aud {claims['aud']}  expires {describe_expiry(claims)}  [dim](the token is never shown)[/]"
            )

            console.rule("[bold]3. table, DCR and role assignments through ARM (azlogs provision)")
            vm = info.identity("vm")
            arm, target = emulator_arm(info)
            with arm:
                request = ProvisionRequest(
                    spec_from_columns(DEMO_TABLE, COLUMNS), principal_id=vm.principal_id
                )
                pipe = provision(arm, target, request, interval=0.1)
                # The demo reads back with the same identity: Log Analytics Reader on the workspace.
                reader = assign_role(
                    arm,
                    target,
                    target.workspace_resource_id,
                    vm.principal_id,
                    role_id=LOG_ANALYTICS_READER_ROLE_ID,
                    interval=0.1,
                )
            for change in (*pipe.changes, reader):
                what = change.detail if change.kind == "role" else change.resource_id.rsplit("/", 1)[-1]
                console.print(f"  {change.kind:<5} {change.action:<9} {what}")
            console.print(f"  table     {DEMO_TABLE} in workspace {info.workspace.id}")
            console.print(f"  endpoint  {pipe.endpoint}")
            console.print(f"  DCR       {pipe.immutable_id}   stream {pipe.stream}")

            console.rule(f"[bold]4. send {count:,} records with the VM's managed identity")
            vm_env = _vm_environment(info)
            saved = {k: os.environ.get(k) for k in vm_env}
            try:
                for key, value in vm_env.items():
                    if value is None:
                        os.environ.pop(key, None)
                    else:
                        os.environ[key] = value
                records = make_records(count, start=time.time() - count * 0.01 - 60)
                from azlogs.cli.send import progress_upload

                with LogsClient(
                    pipe.endpoint, pipe.immutable_id
                ) as client:  # credential=None: the host's identity
                    result = progress_upload(client, pipe.stream, iter(records), None, console.is_terminal)
                rate = result.records_sent / result.duration if result.duration else 0.0
                console.print(
                    f"  sent {result.records_sent:,} records in {result.requests} requests "
                    f"({result.retries} retries, {result.bytes_sent / 1e6:.1f} MB JSON, {result.bytes_sent_gzip / 1e6:.1f} MB gzip) "
                    f"in {result.duration:.2f} s = {rate:,.0f} records/s; {result.failed_count} failed"
                )

                console.rule("[bold]5. read back through the Log Analytics query API")
                from azure.identity import ManagedIdentityCredential

                verify = ssl.create_default_context(cafile=info.ca_cert)
                kql = f"{DEMO_TABLE} | summarize Records = count(), AvgMs = round(avg(DurationMs), 1) by Level | order by Records desc"
                console.print(f"  {kql}")
                with ManagedIdentityCredential() as cred:
                    tables = query_workspace(
                        info.workspace.id, kql, cred, endpoint=info.endpoints.query, verify=verify
                    )
                    total = query_workspace(
                        info.workspace.id,
                        f"{DEMO_TABLE} | count",
                        cred,
                        endpoint=info.endpoints.query,
                        verify=verify,
                    )
            finally:
                for key, old in saved.items():
                    if old is None:
                        os.environ.pop(key, None)
                    else:
                        os.environ[key] = old
            table = Table(title=f"{DEMO_TABLE}: {total[0].rows[0][0]:,} rows in the workspace")
            for name, typ in tables[0].columns:
                table.add_column(f"{name} ({typ})", justify="right" if typ in ("long", "real") else "left")
            for row in tables[0].rows:
                table.add_row(*[f"{v:,}" if isinstance(v, int) else str(v) for v in row])
            console.print(table)
            landed = total[0].rows[0][0]
            if landed != count:
                raise click.ClickException(f"{count - landed} records are missing from the workspace")

            console.rule("[bold]the same against Azure")
            console.print(
                "  azlogs provision --table MyApp_CL --sample sample.ndjson --assign-self   # table, DCR, role\n"
                "  azlogs send app.ndjson --endpoint <DCR logsIngestion endpoint> --dcr <dcr-...> --stream Custom-MyApp_CL\n"
                "  azlogs token        # on the VM: which identity, which claims\n"
                "  azlogs doctor --endpoint ... --dcr ... --stream ...   # when something does not land"
            )
