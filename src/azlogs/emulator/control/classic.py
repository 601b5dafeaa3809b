"""``POST {table}/migrate``: a classic table (made by the HTTP Data Collector API) becomes DCR-based.

Learn's custom-logs-migrate: the call is idempotent and one way; it needs
``Microsoft.OperationalInsights/workspaces/tables/migrate/action``; afterwards the Data Collector API
still writes the table's existing columns but adds none (``ingestion/datacollector.py`` reads the
subtype). A table that is already DCR-based is left as it is. Answers 200 with no body.
"""

from __future__ import annotations

from typing import Any, Final

from azlogs.emulator.control import ids
from azlogs.emulator.control.errors import resource_not_found
from azlogs.emulator.control.state import ArmState

CLASSIC: Final = "Classic"
DCR_BASED: Final = "DataCollectionRuleBased"
ACTION: Final = f"{ids.TABLES}/migrate/action"


def split_action(path: str) -> tuple[str, str] | None:
    """``(table path, "migrate")`` when ``path`` is a table's migrate action, else None."""
    head, _, last = path.rstrip("/").rpartition("/")
    if last.lower() != "migrate" or "/microsoft.operationalinsights/workspaces/" not in head.lower():
        return None
    if "/tables/" not in head.lower():
        return None
    return head, "migrate"


def is_classic(doc: dict[str, Any]) -> bool:
    """Whether a table document is a classic (Data Collector API) table."""
    return bool(doc["properties"]["schema"].get("tableSubType") == CLASSIC)


def migrate(state: ArmState, target: ids.Target, body: Any) -> tuple[int, None]:
    """Turn the classic table at ``target`` DCR-based (a no-op for a DCR-based one)."""
    with state.transaction():
        doc = state.get(target.id)
        if doc is None or doc["type"] != ids.TABLES:
            raise resource_not_found(ids.TABLES, target.names, target.resource_group or "")
        if is_classic(doc):
            props = doc["properties"]
            new = {**doc, "properties": {**props, "schema": {**props["schema"], "tableSubType": DCR_BASED}}}
            state.put(new, state.table_schema(target.id))
    return 200, None
