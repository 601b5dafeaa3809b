"""Column types, table and stream schemas, the DCR model, validation and record coercion.

Pure: no HTTP, no files. Used by the emulator (control plane, ingestion), the schema tooling and
the client's preflight. Submodules:

* :mod:`~azlogs.schema.types`     column types in the table / stream / KQL vocabularies
* :mod:`~azlogs.schema.names`     column, table and stream name rules
* :mod:`~azlogs.schema.model`     TableSchema, StreamDeclaration, DataFlow, DataCollectionRule (ARM JSON)
* :mod:`~azlogs.schema.validate`  the service's rules, answered in ARM's error shape
* :mod:`~azlogs.schema.coerce`    record coercion to a stream declaration, with events
* :mod:`~azlogs.schema.datetimes` Kusto datetime text formats
* :mod:`~azlogs.schema.infer`     table + stream + transformation inferred from sample records
* :mod:`~azlogs.schema.template`  ARM JSON and Bicep templates for table, DCR and role assignment
"""

from __future__ import annotations

from azlogs.schema.coerce import CoercedRecord, CoercionEvent, StreamCoercer, coerce_record, coerce_value
from azlogs.schema.errors import ArmErrorDetail, ArmValidationError, to_arm_error
from azlogs.schema.infer import InferredSchema, Rename, infer_schema
from azlogs.schema.model import (
    Column,
    DataCollectionRule,
    DataFlow,
    LogAnalyticsDestination,
    StreamDeclaration,
    TableSchema,
)
from azlogs.schema.names import column_name_problem, stream_name_problem, table_name_problem
from azlogs.schema.template import PipelineSpec, arm_template, bicep_template
from azlogs.schema.types import ColumnType, Vocabulary, parse_type
from azlogs.schema.validate import validate_dcr, validate_table

__all__ = [
    "ArmErrorDetail",
    "ArmValidationError",
    "CoercedRecord",
    "CoercionEvent",
    "Column",
    "ColumnType",
    "DataCollectionRule",
    "DataFlow",
    "InferredSchema",
    "LogAnalyticsDestination",
    "PipelineSpec",
    "Rename",
    "StreamCoercer",
    "StreamDeclaration",
    "TableSchema",
    "Vocabulary",
    "arm_template",
    "bicep_template",
    "coerce_record",
    "coerce_value",
    "column_name_problem",
    "infer_schema",
    "parse_type",
    "stream_name_problem",
    "table_name_problem",
    "to_arm_error",
    "validate_dcr",
    "validate_table",
]
