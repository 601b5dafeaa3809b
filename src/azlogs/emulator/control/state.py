"""The ARM state of the emulator: stored resource documents, indexes, persistence, change events.

Every resource is kept as the JSON document a GET returns, keyed by its folded id. Fields whose name
starts with ``_`` are private (path keys of endpoints, the time a role assignment was granted) and
never leave the emulator. Writers run inside :meth:`ArmState.transaction`; at its end the indexes
are rebuilt once, the state file is replaced atomically and listeners hear what changed. Readers
(the ingestion and query planes, on every request) use an immutable index snapshot without locking.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

from azlogs._exceptions import EmulatorError
from azlogs.emulator.context import Context
from azlogs.emulator.control import api, ids, roles
from azlogs.emulator.control.api import (
    ChangeEvent,
    DceRecord,
    DcrRecord,
    TableRecord,
    WorkspaceRecord,
)
from azlogs.schema.builtin_tables import builtin_tables
from azlogs.schema.model import DataCollectionRule, TableSchema

log = logging.getLogger("azlogs.emulator.control")

STATE_FILE: Final = "arm.json"
STATE_VERSION: Final = 1

Kind = Literal["table", "dcr", "dce", "workspace", "role"]
_KIND_OF_TYPE: Final[dict[str, Kind | None]] = {
    ids.WORKSPACES: "workspace",
    ids.TABLES: "table",
    ids.DCES: "dce",
    ids.DCRS: "dcr",
    ids.ROLE_ASSIGNMENTS: "role",
    ids.DIAGNOSTIC_SETTINGS: "dcr",  # the ingestion plane's plans hold the DCR's log-error destinations
    ids.RESOURCE_GROUPS: None,
}


@dataclass
class _Index:
    """An immutable-by-convention snapshot of everything readers look up."""

    base: str
    workspaces: dict[str, WorkspaceRecord] = field(default_factory=dict)
    by_customer_id: dict[str, WorkspaceRecord] = field(default_factory=dict)
    tables: dict[str, dict[str, TableRecord]] = field(default_factory=dict)  # ws folded -> name folded
    dces: dict[str, DceRecord] = field(default_factory=dict)  # folded id
    dce_keys: dict[str, DceRecord] = field(default_factory=dict)
    dcrs: dict[str, DcrRecord] = field(default_factory=dict)  # immutable id (lower)
    dcr_ids: dict[str, DcrRecord] = field(default_factory=dict)  # folded resource id
    dcr_keys: dict[str, DcrRecord] = field(default_factory=dict)
    # (principal id lower, folded scope) -> ((role guid, granted at), ...)
    grants: dict[tuple[str, str], tuple[tuple[str, float], ...]] = field(default_factory=dict)


def dce_endpoint(base: str, path_key: str) -> str:
    return f"{base}/dce/{path_key}"


def dcr_endpoint(base: str, path_key: str) -> str:
    return f"{base}/dcr/{path_key}"


def metrics_endpoint(base: str, path_key: str) -> str:
    # Not served: the emulator has no metrics plane; the URL only keeps the ARM shape complete.
    return f"{base}/metrics/{path_key}"


def configuration_endpoint(base: str, path_key: str) -> str:
    # Not served either (Azure Monitor Agent configuration access).
    return f"{base}/dce-config/{path_key}"


class ArmState:
    """The emulator's ARM resources; implements :class:`~azlogs.emulator.control.api.ControlPlane`.

    Args:
        ctx: the emulator context (tenant, settings, URLs).
        path: the JSON state file, or None to keep everything in memory.
        clock: seconds since the epoch; tests inject one to step over the propagation delay.
    """

    def __init__(self, ctx: Context, path: Path | None, *, clock: Callable[[], float] = time.time) -> None:
        self.ctx = ctx
        self.path = path
        self.clock = clock
        self.lock = threading.RLock()
        self._docs: dict[str, dict[str, Any]] = {}
        self._tables: dict[str, TableSchema] = {}  # folded id -> parsed schema
        self._rules: dict[str, DataCollectionRule] = {}  # folded id -> parsed rule
        self._listeners: list[Callable[[ChangeEvent], None]] = []
        self._pending: list[ChangeEvent] = []
        self._dirty = False
        self._depth = 0
        self._index = _Index(base="")
        if path is not None and path.exists():
            self._load(path)
        self._rebuild()

    # --- persistence ---------------------------------------------------------------------------

    def _load(self, path: Path) -> None:
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise EmulatorError(
                f"cannot read the ARM state file {path}: {exc}",
                hint="repair it, or move it away to start with only the tenant's own resources",
            ) from exc
        if data.get("subscription_id") != self.ctx.tenant.subscription_id:
            log.warning(
                "ignoring %s: it belongs to subscription %s, the tenant's is %s",
                path,
                data.get("subscription_id"),
                self.ctx.tenant.subscription_id,
            )
            return
        for key, doc in data.get("resources", {}).items():
            self._docs[key] = doc
            rtype = doc.get("type")
            if rtype == ids.TABLES:
                self._tables[key] = TableSchema.from_arm(doc, name=doc["name"])
            elif rtype == ids.DCRS:
                self._rules[key] = DataCollectionRule.from_arm(doc)

    def _persist(self) -> None:
        if self.path is None:
            return
        data = {
            "version": STATE_VERSION,
            "subscription_id": self.ctx.tenant.subscription_id,
            "resources": self._docs,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(data, fh, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)

    # --- writing -------------------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[ArmState]:
        """Hold the write lock; on the outermost exit rebuild indexes, persist, then notify."""
        with self.lock:
            self._depth += 1
            try:
                yield self
            finally:
                self._depth -= 1
                events: list[ChangeEvent] = []
                if self._depth == 0 and self._dirty:
                    self._dirty = False
                    self._rebuild()
                    self._persist()
                    events, self._pending = self._pending, []
        for event in events:
            self._notify(event)

    def _require_tx(self) -> None:
        if self._depth == 0:
            raise RuntimeError("ArmState writes must run inside transaction()")

    def put(self, doc: dict[str, Any], parsed: TableSchema | DataCollectionRule | None = None) -> None:
        """Store ``doc`` (a full resource document with ``id`` and ``type``)."""
        self._require_tx()
        key = ids.fold(doc["id"])
        self._docs[key] = doc
        if isinstance(parsed, TableSchema):
            self._tables[key] = parsed
        elif isinstance(parsed, DataCollectionRule):
            self._rules[key] = parsed
        self._changed(doc, "put")

    def delete(self, resource_id: str) -> dict[str, Any] | None:
        """Remove the resource; return its document, or None when it did not exist."""
        self._require_tx()
        key = ids.fold(resource_id)
        doc = self._docs.pop(key, None)
        if doc is not None:
            self._tables.pop(key, None)
            self._rules.pop(key, None)
            self._changed(doc, "delete")
        return doc

    def _changed(self, doc: dict[str, Any], action: Literal["put", "delete"]) -> None:
        self._dirty = True
        kind = _KIND_OF_TYPE.get(doc["type"])
        if kind is not None:
            self._pending.append(ChangeEvent(kind=kind, action=action, resource_id=doc["id"]))

    # --- reading documents ---------------------------------------------------------------------

    def get(self, resource_id: str) -> dict[str, Any] | None:
        """The stored document (private fields included; do not mutate), or None."""
        return self._docs.get(ids.fold(resource_id))

    def docs(self, rtype: str, under: str | None = None) -> list[dict[str, Any]]:
        """Documents of type ``rtype``, optionally only those at or below scope ``under``."""
        return [
            d
            for d in list(self._docs.values())
            if d["type"] == rtype and (under is None or ids.is_within(d["id"], under))
        ]

    def table_schema(self, table_id: str) -> TableSchema | None:
        return self._tables.get(ids.fold(table_id))

    def rule(self, dcr_id: str) -> DataCollectionRule | None:
        return self._rules.get(ids.fold(dcr_id))

    def path_keys(self) -> set[str]:
        """Path keys in use by DCE and Direct DCR endpoints (lower case)."""
        return {str(d["_pathKey"]).lower() for d in list(self._docs.values()) if d.get("_pathKey")}

    def render(self, doc: dict[str, Any]) -> dict[str, Any]:
        """The public ARM JSON of a stored document: private fields dropped, endpoint URLs filled."""
        out = {k: v for k, v in doc.items() if not k.startswith("_")}
        key = doc.get("_pathKey")
        if key is None:
            return out
        base = self.ctx.urls.https
        props = dict(out["properties"])
        if doc["type"] == ids.DCES:
            props["configurationAccess"] = {"endpoint": configuration_endpoint(base, key)}
            props["logsIngestion"] = {"endpoint": dce_endpoint(base, key)}
            props["metricsIngestion"] = {"endpoint": metrics_endpoint(base, key)}
        elif doc["type"] == ids.DCRS:
            props["endpoints"] = {
                "logsIngestion": dcr_endpoint(base, key),
                "metricsIngestion": metrics_endpoint(base, key),
            }
        out["properties"] = props
        return out

    # --- indexes -------------------------------------------------------------------------------

    def _rebuild(self) -> None:
        base = self.ctx.urls.https
        idx = _Index(base=base)
        docs = list(self._docs.values())
        for d in docs:
            if d["type"] == ids.WORKSPACES:
                ws = WorkspaceRecord(d["id"], d["name"], d["properties"]["customerId"], d["location"])
                idx.workspaces[ids.fold(ws.resource_id)] = ws
                idx.by_customer_id[ws.customer_id.lower()] = ws
        for ws_key, ws in idx.workspaces.items():  # every workspace has Azure's built-in tables
            idx.tables[ws_key] = {name: TableRecord(ws, schema) for name, schema in builtin_tables().items()}
        for d in docs:
            rtype = d["type"]
            if rtype == ids.TABLES:
                ws_key = ids.fold(d["id"].rsplit("/tables/", 1)[0])
                parent = idx.workspaces.get(ws_key)
                schema = self._tables.get(ids.fold(d["id"]))
                if parent is not None and schema is not None:
                    idx.tables.setdefault(ws_key, {})[schema.name.lower()] = TableRecord(parent, schema)
            elif rtype == ids.DCES:
                dce = DceRecord(d["id"], d["name"], d["_pathKey"], dce_endpoint(base, d["_pathKey"]))
                idx.dces[ids.fold(dce.resource_id)] = dce
                idx.dce_keys[dce.path_key.lower()] = dce
            elif rtype == ids.ROLE_ASSIGNMENTS:
                p = d["properties"]
                key = (p["principalId"].lower(), ids.fold(p["scope"]))
                role_id = p["roleDefinitionId"].rsplit("/", 1)[-1].lower()
                idx.grants[key] = (*idx.grants.get(key, ()), (role_id, float(d.get("_grantedAt", 0.0))))
        log_errors: dict[str, list[WorkspaceRecord]] = {}
        for d in docs:
            if d["type"] == ids.DIAGNOSTIC_SETTINGS and api.sends_log_errors(d):
                ws_id = d["properties"].get("workspaceId")
                dest = idx.workspaces.get(ids.fold(ws_id)) if isinstance(ws_id, str) else None
                if dest is not None:
                    dcr_key = ids.fold(d["id"].rsplit("/providers/", 1)[0])
                    log_errors.setdefault(dcr_key, []).append(dest)
        for d in docs:
            if d["type"] != ids.DCRS:
                continue
            rule = self._rules.get(ids.fold(d["id"]))
            if rule is None:
                continue
            props = d["properties"]
            dce_id = props.get("dataCollectionEndpointId")
            path_key: str | None = d.get("_pathKey")
            dcr = DcrRecord(
                resource_id=d["id"],
                name=d["name"],
                immutable_id=props["immutableId"],
                rule=rule,
                kind=d.get("kind"),
                dce=idx.dces.get(ids.fold(dce_id)) if dce_id else None,
                direct_path_key=path_key,
                logs_ingestion_endpoint=dcr_endpoint(base, path_key) if path_key else None,
                log_errors_workspaces=tuple(dict.fromkeys(log_errors.get(ids.fold(d["id"]), ()))),
                location=str(d.get("location") or ""),
            )
            idx.dcrs[dcr.immutable_id.lower()] = dcr
            idx.dcr_ids[ids.fold(dcr.resource_id)] = dcr
            if path_key:
                idx.dcr_keys[path_key.lower()] = dcr
        self._index = idx

    def _current(self) -> _Index:
        idx = self._index
        if idx.base != self.ctx.urls.https:
            # The listeners bound after the state was loaded: endpoint URLs change once, at start.
            with self.lock:
                self._rebuild()
                idx = self._index
        return idx

    # --- the ControlPlane protocol -------------------------------------------------------------

    def workspace_by_resource_id(self, resource_id: str) -> WorkspaceRecord | None:
        return self._current().workspaces.get(ids.fold(resource_id))

    def workspace_by_customer_id(self, customer_id: str) -> WorkspaceRecord | None:
        return self._current().by_customer_id.get(customer_id.lower())

    def workspaces(self) -> list[WorkspaceRecord]:
        return list(self._current().workspaces.values())

    def table(self, workspace_resource_id: str, name: str) -> TableRecord | None:
        return self._current().tables.get(ids.fold(workspace_resource_id), {}).get(name.lower())

    def tables(self, workspace_resource_id: str) -> list[TableRecord]:
        return list(self._current().tables.get(ids.fold(workspace_resource_id), {}).values())

    def dcr_by_immutable_id(self, immutable_id: str) -> DcrRecord | None:
        return self._current().dcrs.get(immutable_id.lower())

    def dcr_by_resource_id(self, resource_id: str) -> DcrRecord | None:
        return self._current().dcr_ids.get(ids.fold(resource_id))

    def dce_by_path_key(self, path_key: str) -> DceRecord | None:
        return self._current().dce_keys.get(path_key.lower())

    def dcr_by_direct_path_key(self, path_key: str) -> DcrRecord | None:
        return self._current().dcr_keys.get(path_key.lower())

    def resource_exists(self, resource_id: str) -> bool:
        folded = ids.fold(resource_id)
        tenant = self.ctx.tenant
        if folded == ids.fold(f"/subscriptions/{tenant.subscription_id}") or folded in self._docs:
            return True
        return any(i.resource_id and ids.fold(i.resource_id) == folded for i in tenant.identities)

    def has_permission(self, principal_id: str, scope: str, action: str) -> bool:
        """See :meth:`ControlPlane.has_permission`; data actions are those in :data:`roles.DATA_ACTIONS`."""
        grants = self._current().grants
        if not grants:
            return False
        principal = principal_id.lower()
        settled = self.clock() - self.ctx.settings.limits.role_propagation_seconds
        for s in ids.parent_scopes(scope):
            for role_id, granted_at in grants.get((principal, s), ()):
                if granted_at <= settled and (r := roles.role(role_id)) is not None and r.grants(action):
                    return True
        return False

    def subscribe(self, listener: Callable[[ChangeEvent], None]) -> None:
        with self.lock:
            self._listeners.append(listener)

    def _notify(self, event: ChangeEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # a listener's bug must not undo a committed ARM write
                log.exception("control-plane listener failed on %s", event)


def _check_protocol(state: ArmState) -> api.ControlPlane:
    return state  # mypy checks ArmState against the Protocol here
