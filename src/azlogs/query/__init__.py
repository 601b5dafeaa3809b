"""Log Analytics query API client: run KQL against a workspace (Azure or the emulator)."""

from azlogs.query._client import QUERY_AUDIENCE, QueryTable, query_workspace

__all__ = ["QUERY_AUDIENCE", "QueryTable", "query_workspace"]
