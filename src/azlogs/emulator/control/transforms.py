"""DCR creation checks each data flow's ``transformKql`` with the KQL engine, as Azure does, but precisely.

Azure refuses an invalid or unsupported transformation when the DCR is created, with a vague message;
the emulator refuses the same DCRs with ARM's error shape (``InvalidTransformQuery``) and the engine's
message: line, column, what was expected, or which construct DCR transformations do not support.
The transformation's output must also fit the output table (``InvalidTransformOutput``): it must
produce ``TimeGenerated`` as a datetime, and each output column the table has must be of a type the
table can take.
"""

from __future__ import annotations

from collections.abc import Iterable

from azlogs._exceptions import KqlError
from azlogs.kql import Budget, compile_transformation
from azlogs.schema import ArmErrorDetail
from azlogs.schema.types import ColumnType, output_conversion, output_type
from azlogs.schema.validate import FlowContext

INVALID_TRANSFORM_QUERY = "InvalidTransformQuery"
# The time a DCR's transformation may take to compile (constant folding included) [U].
VALIDATION_TIMEOUT_SECONDS = 10.0
INVALID_TRANSFORM_OUTPUT = "InvalidTransformOutput"


def check_transform(flow: FlowContext) -> Iterable[ArmErrorDetail]:
    """The ``flow_checks`` hook for :func:`azlogs.schema.validate_dcr`."""
    text = flow.flow.transform_kql
    if text is None or text.strip() in ("", "source"):
        return []
    target = f"{flow.target}.TransformKql"
    if len(flow.input_streams) != 1:
        return [
            ArmErrorDetail(
                INVALID_TRANSFORM_QUERY,
                "A data flow with a transformation must read exactly one stream.",
                target,
            )
        ]
    columns = {c.name: c.type.kql_name for c in flow.input_streams[0].columns}
    try:
        # Compiling folds constant expressions: a budget keeps a runaway one from holding the request.
        with Budget(timeout=VALIDATION_TIMEOUT_SECONDS).active():
            compiled = compile_transformation(text, columns, strict=True)
    except KqlError as exc:
        hint = f" Fix: {exc.hint}" if exc.hint else ""
        return [
            ArmErrorDetail(
                INVALID_TRANSFORM_QUERY, f"Transformation is invalid: {exc.message}.{hint}", target
            )
        ]
    problems: list[ArmErrorDetail] = []
    out = compiled.output_columns
    table = flow.output_table
    if table is None:
        return problems
    if out.get("TimeGenerated") != "datetime":
        got = out.get("TimeGenerated")
        problems.append(
            ArmErrorDetail(
                INVALID_TRANSFORM_OUTPUT,
                "The transformation's output has no TimeGenerated column of type datetime"
                + (f" (it is {got})" if got else "")
                + f"; table {table.name} requires one: add e.g. `| extend TimeGenerated = now()` or "
                "`todatetime(<your time column>)`.",
                target,
            )
        )
    for column in table.columns:
        produced = out.get(column.name)
        if produced is None or column.name == "TimeGenerated":
            continue
        want = column.type.kql_name
        produced_type = output_type(produced)
        # A dynamic output (e.g. `parse_json(x).a` not converted) is not refused at creation [U]; its
        # values land only in a dynamic column: ingestion drops the rest and azlogs validate says so.
        if (
            produced_type is not ColumnType.DYNAMIC
            and not output_conversion(produced_type, column.type).accepted
        ):
            problems.append(
                ArmErrorDetail(
                    INVALID_TRANSFORM_OUTPUT,
                    f"The transformation's output column '{column.name}' is {produced}, but table "
                    f"{table.name} declares it {want}: convert it in the transformation (e.g. to{want}()).",
                    target,
                )
            )
    return problems
