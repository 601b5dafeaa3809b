"""Fuzz of the agent's line parsers and config reader, and of the DCR/table validators and schema
inference: any input raises only the documented error types (or none), never anything else.

The agent's parsers must turn every line into a record or a bad line (dead-lettered): a line that is
neither is a line lost. The validators answer ARM's ``ArmValidationError`` (a ``SchemaError``) for
any body, never a ``TypeError`` or ``KeyError`` from a shape they did not expect.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from azlogs._exceptions import ConfigError, SchemaError
from azlogs.agent._config import InputConfig, parse_config
from azlogs.agent._parsers import RecordBuilder
from azlogs.schema.infer import infer_schema
from azlogs.schema.validate import validate_dcr, validate_table
from tests.unit.fuzz.profiles import FUZZ

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=25,
)
NAMES = st.sampled_from(
    ["TimeGenerated", "Computer", "Message", "_ResourceId", "Custom-T", "T_CL", "x", "", "1a", "a-b", "Type"]
)
TYPES = st.sampled_from(["string", "int", "long", "real", "boolean", "datetime", "dynamic", "guid", "bogus"])

lines = st.lists(
    st.binary(max_size=120)
    | st.builds(lambda v: json.dumps(v).encode(), json_values)
    | st.builds(lambda parts: ",".join(parts).encode(), st.lists(st.text(max_size=8), max_size=5)),
    max_size=12,
)


def _input(parser: str, **extra: Any) -> InputConfig:
    return InputConfig(
        name="fuzz",
        type="file",
        endpoint="https://127.0.0.1:1",
        dcr="dcr-00000000000000000000000000000000",
        stream="Custom-Fuzz",
        parser=parser,  # type: ignore[arg-type]
        paths=("/tmp/x.log",),
        **extra,
    )


def _message_if_raised(kind: type[Exception], call: Callable[[], object]) -> str | None:
    """The message of a ``kind`` error ``call`` raised, or None; any other exception propagates."""
    try:
        call()
    except kind as exc:
        return str(exc)
    return None


PARSERS = [
    _input("json"),
    _input("json", id_column="AzlogsId", path_field="FilePath", fields=(("Team", "a"),)),
    _input("text"),
    _input("regex", pattern=r"^(?P<Level>\w+) (?P<Message>.*)$"),
    _input("csv"),
    _input("csv", csv_columns=("A", "B", "C")),
]


@pytest.mark.parametrize(
    "cfg", PARSERS, ids=lambda c: f"{c.parser}{'+' if c.id_column or c.csv_columns else ''}"
)
@FUZZ
@given(data=lines)
def test_agent_parsers_turn_every_line_into_a_record_or_a_bad_line(
    cfg: InputConfig, data: list[bytes]
) -> None:
    """No exception; every record is a JSON object; every non-blank line is a record or a bad line."""
    builder = RecordBuilder(cfg, clock=lambda: 1_700_000_000.0)
    pairs = []
    offset = 0
    for line in data:
        pairs.append((offset, line))
        offset += len(line) + 1
    records, bad = builder.build(
        pairs, fid="f1", source="/tmp/x.log", header=lambda: data[0] if data else None
    )
    for rec in records:
        assert isinstance(orjson.loads(rec), dict)
    accounted = len(records) + len(bad)
    non_blank = sum(1 for line in data if line.strip())
    # CSV without declared columns takes its first line as the header; blank lines are skipped.
    header = 1 if cfg.parser == "csv" and cfg.csv_columns is None and non_blank else 0
    assert non_blank - header <= accounted <= len(data)
    for b in bad:
        assert b.reason


toml_tables = st.dictionaries(
    st.sampled_from(["inputs", "spool", "state_dir", "agent", "outputs", "x", "log_level", "routes"]),
    json_values | st.lists(st.dictionaries(st.sampled_from(
        ["name", "type", "paths", "endpoint", "dcr", "stream", "parser", "pattern", "start_at",
         "max_line_bytes", "fields", "csv_columns", "source"]), json_values, max_size=8), max_size=3),
    max_size=5,
)  # fmt: skip


@FUZZ
@given(data=toml_tables)
def test_agent_config_raises_only_config_error(
    data: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Any TOML-shaped document is a config or a ConfigError naming the problem."""
    file = Path(tmp_path_factory.getbasetemp()) / "agent.toml"
    outcome: list[object] = []
    message = _message_if_raised(ConfigError, lambda: outcome.append(parse_config(data, file, {})))
    assert message if not outcome else dataclasses.is_dataclass(outcome[0])


columns = st.lists(st.fixed_dictionaries({"name": NAMES, "type": TYPES}) | json_values, max_size=6)
stream_decls = st.dictionaries(NAMES, st.fixed_dictionaries({"columns": columns}) | json_values, max_size=3)
flows = st.lists(
    st.fixed_dictionaries(
        {
            "streams": st.lists(NAMES, max_size=2) | json_values,
            "destinations": st.lists(st.sampled_from(["ws", "other", ""]), max_size=2) | json_values,
        },
        optional={
            "transformKql": st.sampled_from(["source", "source | extend x = 1", "source | where", "bad kql"])
            | json_values,
            "outputStream": NAMES | json_values,
        },
    )
    | json_values,
    max_size=3,
)
dcr_bodies = st.fixed_dictionaries(
    {},
    optional={
        "location": st.sampled_from(["eastus", ""]) | json_values,
        "kind": st.sampled_from(["Direct", "Linux", ""]) | json_values,
        "properties": st.fixed_dictionaries(
            {},
            optional={
                "streamDeclarations": stream_decls | json_values,
                "destinations": st.fixed_dictionaries(
                    {"logAnalytics": st.lists(st.fixed_dictionaries(
                        {"name": st.sampled_from(["ws", "other"]), "workspaceResourceId": st.text(max_size=10)}
                    ) | json_values, max_size=2)}
                ) | json_values,
                "dataFlows": flows | json_values,
            },
        )
        | json_values,
    },
) | json_values  # fmt: skip


@FUZZ
@given(body=dcr_bodies)
def test_dcr_validator_raises_only_schema_errors(body: Any) -> None:
    """Any DCR body is a rule or an ArmValidationError (a SchemaError), whatever its shape."""
    assert _message_if_raised(SchemaError, lambda: validate_dcr(body, tables=None)) != ""


@FUZZ
@given(body=st.fixed_dictionaries({}, optional={"properties": st.fixed_dictionaries(
    {}, optional={"schema": st.fixed_dictionaries({}, optional={"name": NAMES | json_values, "columns": columns | json_values})
                  | json_values, "retentionInDays": json_values})}) | json_values,
    name=st.sampled_from(["T_CL", "T", "Syslog", "_x_CL"]))  # fmt: skip
def test_table_validator_raises_only_schema_errors(body: Any, name: str) -> None:
    """Any table body is a table or an ArmValidationError."""
    assert _message_if_raised(SchemaError, lambda: validate_table(body, name=name)) != ""


@FUZZ
@given(records=st.lists(st.dictionaries(st.text(max_size=12), json_values, max_size=5), max_size=8))
def test_schema_inference_takes_any_records(records: list[dict[str, Any]]) -> None:
    """Inference over any JSON objects gives a schema or a SchemaError, never another exception."""
    assert _message_if_raised(SchemaError, lambda: infer_schema(records, table="Fuzz_CL")) != ""
