"""A workspace's shared keys: the ``sharedKeys`` and ``regenerateSharedKey`` actions of ARM.

``POST {workspace}/sharedKeys?api-version=2020-08-01`` answers ``{"primarySharedKey", "secondarySharedKey"}``
(needs ``Microsoft.OperationalInsights/workspaces/sharedKeys/action``); ``POST {workspace}/regenerateSharedKey``
with ``{"keyName": "primary" | "secondary"}`` replaces one and answers both (needs
``.../regenerateSharedKey/action``), as the Log Analytics REST reference has them. The keys are made on
first use (64 random bytes, base64, the length of Azure's keys) and kept in the workspace's ARM document
as the private field ``_sharedKeys``: persisted with the ARM state, never rendered in a GET.
"""

from __future__ import annotations

import base64
import secrets
from typing import Any, Final

from azlogs.emulator.control import ids
from azlogs.emulator.control.errors import ArmError, resource_not_found
from azlogs.emulator.control.state import ArmState

FIELD: Final = "_sharedKeys"
PRIMARY: Final = "primarySharedKey"
SECONDARY: Final = "secondarySharedKey"
# The action segment after a workspace's path, and the RBAC action each needs.
ACTIONS: Final = {
    "sharedkeys": f"{ids.WORKSPACES}/sharedKeys/action",
    "regeneratesharedkey": f"{ids.WORKSPACES}/regenerateSharedKey/action",
}


def new_key() -> str:
    """A fresh workspace key: 64 random bytes in base64 (88 characters, as Azure's keys)."""
    return base64.b64encode(secrets.token_bytes(64)).decode()


def split_action(path: str) -> tuple[str, str] | None:
    """``(workspace path, action)`` when ``path`` is a workspace's shared-key action, else None."""
    head, _, last = path.rstrip("/").rpartition("/")
    action = last.lower()
    if action not in ACTIONS or "/microsoft.operationalinsights/workspaces/" not in head.lower():
        return None
    return head, action


def keys_of(state: ArmState, workspace_id: str) -> dict[str, str] | None:
    """The workspace's keys (made and persisted on first use); None when there is no such workspace."""
    doc = state.get(workspace_id)
    if doc is None or doc["type"] != ids.WORKSPACES:
        return None
    keys = doc.get(FIELD)
    if keys:
        return dict(keys)
    with state.transaction():
        doc = state.get(workspace_id)
        if doc is None:
            return None
        if not doc.get(FIELD):
            state.put({**doc, FIELD: {PRIMARY: new_key(), SECONDARY: new_key()}})
        current = state.get(workspace_id)
        assert current is not None
        return dict(current[FIELD])


def act(state: ArmState, target: ids.Target, action: str, body: Any) -> tuple[int, dict[str, Any]]:
    """Run ``action`` on the workspace; the caller has checked the token, RBAC and the api-version."""
    workspace_id = target.id
    if keys_of(state, workspace_id) is None:
        raise resource_not_found(ids.WORKSPACES, target.names, target.resource_group or "")
    if action == "sharedkeys":
        return 200, keys_of(state, workspace_id) or {}
    name = body.get("keyName") if isinstance(body, dict) else None
    field_name = {"primary": PRIMARY, "secondary": SECONDARY}.get(str(name).lower())
    if field_name is None:
        raise ArmError(
            400, "InvalidParameter", "'keyName' must be 'primary' or 'secondary' to regenerate a shared key."
        )
    with state.transaction():
        doc = state.get(workspace_id)
        assert doc is not None
        keys = {**doc[FIELD], field_name: new_key()}
        state.put({**doc, FIELD: keys})
        return 200, dict(keys)
