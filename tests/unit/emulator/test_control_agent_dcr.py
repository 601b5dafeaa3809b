"""Agent DCRs (dataSources, Microsoft streams) answered as Azure does, in-process.

Sources: the recorded agent DCR of the Go SDK (Azure/azure-sdk-assets
``go/sdk/resourcemanager/monitor/armmonitor/testdata/recordings/TestDatacollectionrulesTestSuite.json``,
api-version 2024-03-11): ``performanceCounters`` and ``syslog`` sources, one data flow of
``Microsoft-Perf`` and ``Microsoft-Syslog`` with no ``outputStream`` and no stream declarations, 200.
Issue 10's measured answers: ``InvalidDataSource`` "'X Path Queries' must not be empty." at
``Properties.DataSources.WindowsEventLogs[0].XPathQueries``; an unknown destination in a data flow is
``InvalidDataFlow`` at ``Properties.DataFlows[0]``.
"""

from __future__ import annotations

from typing import Any

import httpx

from azlogs.emulator.context import Context
from tests.unit.emulator.test_control_routes import bearer, rg

V = {"api-version": "2024-03-11"}


def agent_dcr(ctx: Context, **sources: Any) -> dict[str, Any]:
    """The recorded agent DCR's shape (names ours), with ``sources`` replacing its dataSources."""
    data_sources = sources or {
        "performanceCounters": [
            {
                "streams": ["Microsoft-Perf"],
                "samplingFrequencyInSeconds": 15,
                "counterSpecifiers": ["\\Processor(_Total)\\% Processor Time", "\\Memory\\Committed Bytes"],
                "name": "coreCounters",
            }
        ],
        "syslog": [
            {
                "streams": ["Microsoft-Syslog"],
                "facilityNames": ["cron"],
                "logLevels": ["Debug", "Critical", "Emergency"],
                "name": "cronSyslog",
            }
        ],
    }
    streams = sorted({s for kind in data_sources.values() for src in kind for s in src.get("streams", [])})
    return {
        "location": "eastus",
        "properties": {
            "dataSources": data_sources,
            "destinations": {
                "logAnalytics": [
                    {"workspaceResourceId": ctx.tenant.workspace_resource_id, "name": "centralWorkspace"}
                ]
            },
            "dataFlows": [{"streams": streams, "destinations": ["centralWorkspace"]}],
        },
    }


async def put(
    client: httpx.AsyncClient, ctx: Context, body: dict[str, Any], name: str = "agent-dcr"
) -> httpx.Response:
    url = rg(ctx) + f"/providers/Microsoft.Insights/dataCollectionRules/{name}"
    return await client.put(url, params=V, json=body, headers=bearer(ctx, ctx.tenant.admin))


def details(r: httpx.Response) -> list[tuple[str, str, str]]:
    assert r.status_code == 400, r.text
    assert r.json()["error"]["code"] == "InvalidPayload"
    return [(d["code"], d.get("target", ""), d["message"]) for d in r.json()["error"]["details"]]


class TestAccepted:
    async def test_recorded_agent_dcr(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """Perf and Syslog sources into one flow without outputStream: 200, dataSources kept as sent."""
        body = agent_dcr(ctx)
        r = await put(client, ctx, body)
        assert r.status_code == 200, r.text
        props = r.json()["properties"]
        assert props["dataSources"] == body["properties"]["dataSources"]
        assert props["dataFlows"] == [
            {"streams": ["Microsoft-Perf", "Microsoft-Syslog"], "destinations": ["centralWorkspace"]}
        ]
        assert "streamDeclarations" not in props or props["streamDeclarations"] == {}

    async def test_windows_events_and_transform_on_a_microsoft_stream(
        self, client: httpx.AsyncClient, ctx: Context
    ) -> None:
        """Windows event sources (Event, WindowsEvent) are accepted; a transform reads a Microsoft stream's columns."""
        body = agent_dcr(
            ctx,
            windowsEventLogs=[
                {
                    "streams": ["Microsoft-Event"],
                    "xPathQueries": ["Application!*[System[(Level=2)]]"],
                    "name": "ev",
                },
                {"streams": ["Microsoft-WindowsEvent"], "xPathQueries": ["Security!*"], "name": "wev"},
            ],
        )
        assert (await put(client, ctx, body, "win-dcr")).status_code == 200
        body = agent_dcr(ctx)
        body["properties"]["dataFlows"] = [
            {"streams": ["Microsoft-Perf"], "destinations": ["centralWorkspace"]},
            {
                "streams": ["Microsoft-Syslog"],
                "destinations": ["centralWorkspace"],
                "transformKql": "source | where SeverityLevel != 'debug'",
                "outputStream": "Microsoft-Syslog",
            },
        ]
        r = await put(client, ctx, body, "xform-dcr")
        assert r.status_code == 200, r.text


class TestRefused:
    async def test_empty_xpath_queries(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """An empty xPathQueries is InvalidDataSource in Azure's words, at its PascalCase target."""
        body = agent_dcr(
            ctx, windowsEventLogs=[{"streams": ["Microsoft-Event"], "xPathQueries": [], "name": "ev"}]
        )
        assert details(await put(client, ctx, body)) == [
            (
                "InvalidDataSource",
                "Properties.DataSources.WindowsEventLogs[0].XPathQueries",
                "'X Path Queries' must not be empty.",
            )
        ]

    async def test_unknown_destination_is_invalid_data_flow(
        self, client: httpx.AsyncClient, ctx: Context
    ) -> None:
        """A data flow naming a destination that is not defined: InvalidDataFlow at the flow."""
        body = agent_dcr(ctx)
        body["properties"]["dataFlows"][0]["destinations"] = ["nowhere"]
        codes = [(c, t) for c, t, _ in details(await put(client, ctx, body))]
        assert codes == [("InvalidDataFlow", "Properties.DataFlows[0]")]

    async def test_source_problems(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """Wrong streams for a kind, missing counters, bad facility, duplicate names: one detail each."""
        body = agent_dcr(
            ctx,
            performanceCounters=[
                {
                    "streams": ["Microsoft-Syslog"],
                    "counterSpecifiers": [],
                    "samplingFrequencyInSeconds": 0,
                    "name": "a",
                }
            ],
            syslog=[{"streams": ["Microsoft-Syslog"], "facilityNames": ["nosuch"], "name": "A"}],
        )
        got = {(c, t) for c, t, _ in details(await put(client, ctx, body))}
        assert got == {
            ("InvalidDataSource", "Properties.DataSources.PerformanceCounters[0].CounterSpecifiers"),
            ("InvalidDataSource", "Properties.DataSources.PerformanceCounters[0].Streams[0]"),
            ("InvalidDataSource", "Properties.DataSources.PerformanceCounters[0].SamplingFrequencyInSeconds"),
            ("InvalidDataSource", "Properties.DataSources.Syslog[0].FacilityNames[0]"),
            ("InvalidDataSource", "Properties.DataSources.Syslog[0].Name"),
        }

    async def test_missing_location(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """An agent DCR without location is ARM's LocationRequired, before the rule is looked at."""
        body = agent_dcr(ctx)
        del body["location"]
        r = await put(client, ctx, body)
        assert (r.status_code, r.json()["error"]["code"]) == (400, "LocationRequired")
