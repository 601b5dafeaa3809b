"""ARM validation errors: a SchemaError that carries ARM's error body.

ARM answers an invalid data collection rule with (hashicorp/terraform-provider-azurerm#18481,
Azure/azure-cli-extensions#7399)::

    {"error": {"code": "InvalidPayload", "message": "Data collection rule is invalid",
               "details": [{"code": "InvalidStream",
                            "message": "'Streams' stream 'Foo' must be a custom stream or ...",
                            "target": "Properties.DataFlows[0].Streams[0]"}]}}

:class:`ArmValidationError` holds the same fields, so the emulator's control plane answers with
``to_arm_error(err)`` and the CLI prints every detail.
"""

from __future__ import annotations

from typing import Any, Final

from azlogs._exceptions import DCR_INVALID_MESSAGE, INVALID_PAYLOAD, ArmErrorDetail, ArmValidationError

__all__ = [
    "DCR_INVALID_MESSAGE",
    "INVALID_DATA_FLOW",
    "INVALID_DATA_SOURCE",
    "INVALID_DESTINATION",
    "INVALID_OUTPUT_TABLE",
    "INVALID_PAYLOAD",
    "INVALID_STREAM",
    "INVALID_STREAM_DECLARATION",
    "INVALID_TABLE",
    "INVALID_TRANSFORM_OUTPUT",
    "INVALID_TRANSFORM_QUERY",
    "TABLE_INVALID_MESSAGE",
    "ArmErrorDetail",
    "ArmValidationError",
    "to_arm_error",
]

# Seen in the field: InvalidStream, InvalidOutputTable, InvalidDataFlow, InvalidTransformQuery,
# InvalidTransformOutput. The two below are our names for cases whose real code is unknown. [U]
INVALID_STREAM: Final = "InvalidStream"
INVALID_OUTPUT_TABLE: Final = "InvalidOutputTable"
INVALID_DATA_FLOW: Final = "InvalidDataFlow"
INVALID_DATA_SOURCE: Final = "InvalidDataSource"
INVALID_DESTINATION: Final = "InvalidDestination"
INVALID_TRANSFORM_QUERY: Final = "InvalidTransformQuery"
INVALID_TRANSFORM_OUTPUT: Final = "InvalidTransformOutput"
INVALID_STREAM_DECLARATION: Final = "InvalidStreamDeclaration"  # [U]
INVALID_TABLE: Final = "InvalidTableSchema"  # [U] the tables API's codes are not documented
TABLE_INVALID_MESSAGE: Final = "Table schema is invalid"  # [U]


def to_arm_error(err: ArmValidationError) -> dict[str, Any]:
    """ARM's error response body for ``err``: ``{"error": {"code", "message", "details"}}``."""
    return {
        "error": {
            "code": err.code,
            "message": err.message,
            "details": [d.to_json() for d in err.details],
        }
    }
