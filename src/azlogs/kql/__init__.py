"""The KQL engine of azlogs: one parser and one evaluator for DCR transformations and queries.

Pure: no HTTP, no files. Values follow the shared representation (str never null, tz-aware UTC
datetime, timedelta, JSON values for dynamic, None for null).
"""

from __future__ import annotations

from azlogs._exceptions import KqlLimitError, KqlTimeoutError
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
from azlogs.kql._fn_special import add_geo_ranges
from azlogs.kql._options import RequestOptions, request_options
from azlogs.kql._parser import parse
from azlogs.kql._printer import to_text
from azlogs.kql._registry import REGISTRY, FunctionSpec, lookup
from azlogs.kql._render import Visualization, visualization
from azlogs.kql._values import KQL_TYPES, format_timespan

FUNCTIONS = REGISTRY

__all__ = [
    "FUNCTIONS",
    "KQL_TYPES",
    "Budget",
    "FunctionSpec",
    "KqlLimitError",
    "KqlTimeoutError",
    "MemoryProvider",
    "PartialFailure",
    "Query",
    "QueryResult",
    "RequestOptions",
    "ResultTable",
    "TableProvider",
    "TransformResult",
    "Transformation",
    "Visualization",
    "add_geo_ranges",
    "approx_size",
    "check",
    "compile_transformation",
    "format_timespan",
    "lookup",
    "parse",
    "request_options",
    "run_query",
    "to_text",
    "visualization",
]
