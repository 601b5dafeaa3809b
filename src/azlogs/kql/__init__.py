"""The KQL engine of azlogs: one parser and one evaluator for DCR transformations and queries.

Pure: no HTTP, no files. Values follow the shared representation (str never null, tz-aware UTC
datetime, timedelta, JSON values for dynamic, None for null).
"""

from azlogs.kql._ast import Query
from azlogs.kql._budget import Budget
from azlogs.kql._dialect import check
from azlogs.kql._engine import (
    MemoryProvider,
    PartialFailure,
    QueryResult,
    ResultTable,
    TableProvider,
    Transformation,
    TransformResult,
    approx_size,
    compile_transformation,
    run_query,
)
from azlogs.kql._parser import parse
from azlogs.kql._render import Visualization, visualization
from azlogs.schema.timespans import format_timespan

__all__ = [
    "Budget",
    "MemoryProvider",
    "PartialFailure",
    "Query",
    "QueryResult",
    "ResultTable",
    "TableProvider",
    "TransformResult",
    "Transformation",
    "Visualization",
    "approx_size",
    "check",
    "compile_transformation",
    "format_timespan",
    "parse",
    "run_query",
    "visualization",
]
