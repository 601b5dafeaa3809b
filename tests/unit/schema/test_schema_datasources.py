"""dataSources rules in the schema package (the one owner the client's validate_dcr and the emulator share)."""

from __future__ import annotations

from typing import Any

import pytest

from azlogs.schema import validate_dcr
from azlogs.schema.datasources import data_source_problems
from azlogs.schema.errors import ArmValidationError

WS = "/subscriptions/s/resourceGroups/r/providers/Microsoft.OperationalInsights/workspaces/w"


class TestDataSourceProblems:
    @pytest.mark.parametrize(
        ("raw", "target", "message"),
        [
            (
                {"windowsEventLogs": [{"streams": ["Microsoft-Event"], "xPathQueries": []}]},
                "Properties.DataSources.WindowsEventLogs[0].XPathQueries",
                "'X Path Queries' must not be empty.",
            ),
            (
                {"logFiles": [{"streams": ["Custom-Text"], "format": "text"}]},
                "Properties.DataSources.LogFiles[0].FilePatterns",
                "'File Patterns' must not be empty.",
            ),
            (
                {"extensions": [{"streams": ["Microsoft-Foo"]}]},
                "Properties.DataSources.Extensions[0].ExtensionName",
                "'Extension Name' must not be empty.",
            ),
            (
                {"logFiles": [{"streams": ["Custom-Undeclared"], "filePatterns": ["/x"], "format": "text"}]},
                "Properties.DataSources.LogFiles[0].Streams[0]",
                "stream 'Custom-Undeclared' is not declared in 'streamDeclarations'",
            ),
            (
                {"nosuchKind": []},
                "Properties.DataSources.NosuchKind",
                "'nosuchKind' is not a data source kind",
            ),
        ],
    )
    def test_one_problem(self, raw: dict[str, Any], target: str, message: str) -> None:
        """Each malformed source gives one InvalidDataSource detail with the target and wording shown."""
        (problem,) = data_source_problems(raw, declared={"Custom-Text"})
        assert (problem.code, problem.target) == ("InvalidDataSource", target)
        assert problem.message.startswith(message)

    def test_valid_sources(self) -> None:
        """The recorded performanceCounters and syslog sources, a log file and an extension: no problem."""
        raw = {
            "performanceCounters": [
                {
                    "streams": ["Microsoft-Perf"],
                    "samplingFrequencyInSeconds": 15,
                    "counterSpecifiers": ["\\x"],
                }
            ],
            "syslog": [
                {"streams": ["Microsoft-Syslog"], "facilityNames": ["cron", "LOCAL7"], "logLevels": ["*"]}
            ],
            "logFiles": [{"streams": ["Custom-Text"], "filePatterns": ["/var/log/*.log"], "format": "text"}],
            "extensions": [
                {"streams": ["Microsoft-SecurityEvent"], "extensionName": "AzureSecurityLinuxAgent"}
            ],
        }
        assert data_source_problems(raw, declared={"Custom-Text"}) == []


def test_validate_dcr_reports_data_source_problems() -> None:
    """validate_dcr (used by azlogs provision and the emulator) refuses a DCR whose data source is malformed."""
    body = {
        "location": "eastus",
        "properties": {
            "dataSources": {"syslog": [{"streams": ["Microsoft-Syslog"], "facilityNames": []}]},
            "destinations": {"logAnalytics": [{"name": "la", "workspaceResourceId": WS}]},
            "dataFlows": [{"streams": ["Microsoft-Syslog"], "destinations": ["la"]}],
        },
    }
    with pytest.raises(ArmValidationError) as err:
        validate_dcr(body, tables=None)
    assert [(d.code, d.target) for d in err.value.details] == [
        ("InvalidDataSource", "Properties.DataSources.Syslog[0].FacilityNames")
    ]
