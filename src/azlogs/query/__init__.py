"""Log Analytics query API client: run KQL against a workspace (Azure or the emulator)."""

from azlogs.query._client import QueryTable, query_workspace

__all__ = [
    "QueryTable",
    "query_workspace",
]
