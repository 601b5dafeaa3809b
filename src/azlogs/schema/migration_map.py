"""The mapping document ``azlogs migrate --output FILE`` writes and the agent's data-collector bridge reads.

One JSON object, version 1::

    {"version": 1,
     "workspace_id": "<the workspace's customer id, a GUID>",
     "log_types": {
        "MyApp": {"table": "MyApp_CL",
                  "endpoint": "https://...",          # the DCR's logs ingestion endpoint
                  "dcr_immutable_id": "dcr-...",
                  "stream": "Custom-MyApp_CL",
                  "time_generated_field": null}}}     # or the property the DCR's transform reads

A legacy sender's ``Log-Type`` is a key of ``log_types`` (``MyApp`` for the table ``MyApp_CL``); the bridge
posts that sender's JSON unchanged to ``endpoint``'s ``dcr_immutable_id`` / ``stream``. Pure: parsing and
rendering are functions of values; :func:`read_map` and :func:`write_map` are the only I/O, on one path.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

from azlogs._exceptions import ConfigError

VERSION: Final = 1
_ROUTE_KEYS: Final = ("table", "endpoint", "dcr_immutable_id", "stream")


@dataclass(frozen=True)
class LogTypeRoute:
    """Where one ``Log-Type``'s records go after migration.

    Attributes:
        table: the migrated table, ``{LogType}_CL``.
        endpoint: the DCR's logs ingestion endpoint (``https://...``), or a DCE's.
        dcr_immutable_id: the DCR's immutable id, ``dcr-...``.
        stream: the DCR's input stream, ``Custom-{LogType}_CL``.
        time_generated_field: the record property the DCR's transform reads TimeGenerated from, or None
            when TimeGenerated is the ingestion time (``now()``).
    """

    table: str
    endpoint: str
    dcr_immutable_id: str
    stream: str
    time_generated_field: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The route as the document has it."""
        return {
            "table": self.table,
            "endpoint": self.endpoint,
            "dcr_immutable_id": self.dcr_immutable_id,
            "stream": self.stream,
            "time_generated_field": self.time_generated_field,
        }


@dataclass(frozen=True)
class MigrationMap:
    """The whole document: a workspace and its migrated Log-Types.

    Attributes:
        workspace_id: the workspace's customer id (the GUID legacy senders sign with).
        log_types: ``Log-Type`` -> route.
    """

    workspace_id: str
    log_types: Mapping[str, LogTypeRoute] = field(default_factory=dict)

    def route(self, log_type: str) -> LogTypeRoute | None:
        """The route of ``log_type``: an exact key, else the one key equal ignoring case (table names
        are case-insensitive in Log Analytics); None when there is none."""
        exact = self.log_types.get(log_type)
        if exact is not None:
            return exact
        folded = [r for k, r in self.log_types.items() if k.lower() == log_type.lower()]
        return folded[0] if len(folded) == 1 else None

    def with_route(self, log_type: str, route: LogTypeRoute) -> MigrationMap:
        """A copy with ``log_type`` routed to ``route`` (replacing an earlier route of it)."""
        return replace(self, log_types={**self.log_types, log_type: route})

    def to_json(self) -> dict[str, Any]:
        """The document as a JSON value (log types sorted, so the file diffs well)."""
        return {
            "version": VERSION,
            "workspace_id": self.workspace_id,
            "log_types": {k: self.log_types[k].to_json() for k in sorted(self.log_types)},
        }


def _text(doc: Mapping[str, Any], key: str, where: str) -> str:
    value = doc.get(key)
    if not isinstance(value, str) or not value:
        raise ConfigError(
            f"{where}: '{key}' must be a non-empty string",
            hint="write the file with `azlogs migrate TABLE_CL --output FILE`",
        )
    return value


def from_json(doc: Any, *, source: str = "the mapping document") -> MigrationMap:
    """Parse a parsed JSON value.

    Raises:
        ConfigError: not a version 1 document, or a field missing or of the wrong type (named).
    """
    if not isinstance(doc, dict):
        raise ConfigError(f"{source}: not a JSON object")
    version = doc.get("version")
    if version != VERSION:
        raise ConfigError(
            f"{source}: version {version!r} is not supported (this azlogs reads version {VERSION})",
            hint="write it again with this azlogs's `azlogs migrate --output`",
        )
    workspace_id = _text(doc, "workspace_id", source)
    raw = doc.get("log_types")
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: 'log_types' must be an object of Log-Type -> route")
    routes: dict[str, LogTypeRoute] = {}
    for log_type, value in raw.items():
        where = f"{source}: log_types.{log_type}"
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: not an object")
        table, endpoint, dcr, stream = (_text(value, k, where) for k in _ROUTE_KEYS)
        tgf = value.get("time_generated_field")
        if tgf is not None and (not isinstance(tgf, str) or not tgf):
            raise ConfigError(f"{where}: 'time_generated_field' must be null or a property name")
        routes[log_type] = LogTypeRoute(table, endpoint, dcr, stream, tgf)
    return MigrationMap(workspace_id, routes)


def loads(text: str | bytes, *, source: str = "the mapping document") -> MigrationMap:
    """Parse the document's text.

    Raises:
        ConfigError: not JSON, or not a valid document.
    """
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"{source}: not JSON: {exc}") from exc
    return from_json(doc, source=source)


def dumps(mapping: MigrationMap) -> str:
    """The document's text (indented, a final newline)."""
    return json.dumps(mapping.to_json(), indent=2) + "\n"


def read_map(path: str | os.PathLike[str]) -> MigrationMap:
    """Read the document at ``path``.

    Raises:
        ConfigError: unreadable, or not a valid document (the path is named).
    """
    try:
        text = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read the mapping document {path}: {exc.strerror or exc}") from exc
    return loads(text, source=str(path))


def write_map(path: str | os.PathLike[str], mapping: MigrationMap) -> None:
    """Write the document to ``path`` atomically (a temporary file in the same directory, then rename).

    Raises:
        ConfigError: the directory cannot be written.
    """
    target = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or Path("."))
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(dumps(mapping))
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise ConfigError(f"cannot write the mapping document {path}: {exc.strerror or exc}") from exc


def merged(
    existing: MigrationMap | None, workspace_id: str, log_type: str, route: LogTypeRoute
) -> MigrationMap:
    """``existing`` (a file written before) with ``log_type``'s route added, for one workspace.

    Raises:
        ConfigError: ``existing`` is another workspace's document.
    """
    if existing is None:
        return MigrationMap(workspace_id, {log_type: route})
    check_workspace(existing, workspace_id)
    return existing.with_route(log_type, route)


def check_workspace(existing: MigrationMap, workspace_id: str) -> None:
    """Refuse to add a route of ``workspace_id`` to another workspace's document.

    Raises:
        ConfigError: ``existing`` is another workspace's document.
    """
    if existing.workspace_id.lower() != workspace_id.lower():
        raise ConfigError(
            f"the mapping document is for workspace {existing.workspace_id}, not {workspace_id}",
            hint="give another --output file for this workspace (the bridge reads one workspace per file)",
        )
