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
* :mod:`~azlogs.schema.datacollector` the retired HTTP Data Collector API's signature and column rules
* :mod:`~azlogs.schema.migration_map` the Log-Type -> DCR mapping ``azlogs migrate`` writes for the bridge
"""

from azlogs.schema.errors import ArmErrorDetail, ArmValidationError
from azlogs.schema.infer import InferredSchema, Rename, infer_schema
from azlogs.schema.model import (
    Column,
    DataCollectionRule,
    DataFlow,
    LogAnalyticsDestination,
    StreamDeclaration,
    TableSchema,
)
from azlogs.schema.template import PipelineSpec, arm_template, bicep_template
from azlogs.schema.types import ColumnType, Vocabulary
from azlogs.schema.validate import validate_dcr, validate_table

__all__ = [
    "ArmErrorDetail",
    "ArmValidationError",
    "Column",
    "ColumnType",
    "DataCollectionRule",
    "DataFlow",
    "InferredSchema",
    "LogAnalyticsDestination",
    "PipelineSpec",
    "Rename",
    "StreamDeclaration",
    "TableSchema",
    "Vocabulary",
    "arm_template",
    "bicep_template",
    "infer_schema",
    "validate_dcr",
    "validate_table",
]
