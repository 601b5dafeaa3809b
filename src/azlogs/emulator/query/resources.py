"""Resource-centric queries: ``{query}/v1/{resourceId}/query`` (what ``query_resource`` sends).

Microsoft Learn, "Querying logs for Azure resources" (azure-monitor/logs/api/azure-resource-queries):
the resource id is the path before ``/query`` (``subscriptions/{sub}``,
``.../resourceGroups/{rg}``, ``.../providers/{ns}/{type}/{name}``); the answer has the shape of a
workspace query; a resource that does not exist is 404 ``ResourceNotFoundError``; a caller without
read access to the resource's logs is 403 ``InsufficientAccessError`` > ``AuthorizationFailedError``;
a resource with no logs, or logs only in workspaces the caller may not read, answers 200 with no
rows. Rows belong to a resource by their ``_ResourceId`` column.

What the emulator does with that:

* a Log Analytics workspace's own resource id is a query of that workspace (all its rows), with
  the workspace's query permission, as a workspace-context query;
* any other scope (the subscription, a resource group, a DCR, a VM) reads, in every workspace,
  the rows whose ``_ResourceId`` is at or below the scope, with ``Microsoft.Insights/logs/read`` on
  the scope (Reader, Log Analytics Reader and Monitoring Reader grant it). Rows sent through the
  Logs Ingestion API carry an empty ``_ResourceId`` (the store's standard columns), so such a query
  finds the tables but none of their rows: the 200 "no resulting data" of the page above. Rows the
  Data Collector API wrote with ``x-ms-AzureResourceId`` carry that id and are found.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Final

from azlogs.emulator.control import ids
from azlogs.kql import TableProvider

LOGS_READ_ACTION: Final = "Microsoft.Insights/logs/read"
RESOURCE_ID_COLUMN: Final = "_ResourceId"

_SEGMENT = r"[^/]+"
_RESOURCE = re.compile(
    rf"^/subscriptions/{_SEGMENT}(?:/resourceGroups/{_SEGMENT}(?:/providers/{_SEGMENT}(?:/{_SEGMENT}/{_SEGMENT})+)?)?$",
    re.IGNORECASE,
)


def resource_of(path: str) -> str | None:
    """The resource id of a resource-centric query path (``subscriptions/.../query``), or None.

    Leading slashes are folded (a client that joins ``/v1/`` and ``/subscriptions`` sends two).
    """
    if not path.lower().endswith("/query"):
        return None
    rid = "/" + path[: -len("/query")].lstrip("/")
    return rid if _RESOURCE.match(rid) else None


class ScopedProvider:
    """The rows of some workspaces whose ``_ResourceId`` lies at or below a resource scope."""

    def __init__(self, parts: Sequence[TableProvider], scope: str) -> None:
        self.parts = list(parts)
        self.scope = scope

    def table_names(self) -> Iterable[str]:
        seen: dict[str, str] = {}
        for p in self.parts:
            for name in p.table_names():
                seen.setdefault(name.lower(), name)
        return list(seen.values())

    def read_external(self, uri: str) -> str:
        """externaldata's files (the same directory for every workspace)."""
        for p in self.parts:
            reader = getattr(p, "read_external", None)
            if reader is not None:
                text: str = reader(uri)
                return text
        raise KeyError("this emulator has no externaldata directory")

    def table_columns(self, name: str) -> list[tuple[str, str]] | None:
        for p in self.parts:
            cols = p.table_columns(name)
            if cols is not None:
                return cols
        return None

    def scan(
        self,
        name: str,
        *,
        time_range: tuple[dt.datetime | None, dt.datetime | None] | None,
        columns: Sequence[str] | None,
    ) -> Iterable[Mapping[str, Any]]:
        return self._rows(name, time_range, columns)

    def _rows(
        self,
        name: str,
        time_range: tuple[dt.datetime | None, dt.datetime | None] | None,
        columns: Sequence[str] | None,
    ) -> Iterator[Mapping[str, Any]]:
        for p in self.parts:
            have = p.table_columns(name)
            if have is None:
                continue
            present = {c for c, _ in have}
            wanted = None if columns is None else [c for c in columns if c in present]
            drop = wanted is not None and RESOURCE_ID_COLUMN not in wanted
            if wanted is not None and drop:
                wanted.append(RESOURCE_ID_COLUMN)
            for row in p.scan(name, time_range=time_range, columns=wanted):
                rid = row.get(RESOURCE_ID_COLUMN) or ""
                if not rid or not ids.is_within(rid, self.scope):
                    continue
                if drop:
                    row = {k: v for k, v in row.items() if k != RESOURCE_ID_COLUMN}
                yield row
