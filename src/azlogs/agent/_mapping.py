"""The Log-Type -> DCR stream map of the data-collector bridge, and a reader of ``azlogs migrate --output``.

The document (version 1)::

    {"version": 1, "workspace_id": "<GUID>",
     "log_types": {"MyApp": {"table": "MyApp_CL", "endpoint": "https://...",
                             "dcr_immutable_id": "dcr-...", "stream": "Custom-MyApp_CL",
                             "time_generated_field": null}}}

A minimal reader of what the bridge needs (endpoint, DCR, stream per Log-Type); the mapping's owner is
``azlogs migrate`` (the schema module that writes it replaces this reader once both are on main).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from azlogs._exceptions import ConfigError

MAPPING_VERSION = 1


@dataclass(frozen=True)
class LogTypeRoute:
    """Where the records of one ``Log-Type`` go: a DCR stream on an endpoint."""

    log_type: str
    endpoint: str
    dcr: str
    stream: str


@dataclass(frozen=True)
class MappingDoc:
    """A mapping document: the workspace legacy senders sign for, and each Log-Type's route."""

    workspace_id: str
    log_types: dict[str, LogTypeRoute]


def read_mapping(path: Path) -> MappingDoc:
    """Read the file ``azlogs migrate --output FILE`` wrote.

    Raises:
        ConfigError: unreadable, not JSON, another version, or a field missing (named).
    """
    where = f"mapping {path}"
    hint = "write it with `azlogs migrate TABLE_CL --output FILE`"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{where}: cannot read: {exc.strerror or exc}", hint=hint) from None
    except ValueError as exc:
        raise ConfigError(f"{where}: not JSON: {exc}", hint=hint) from None
    if not isinstance(doc, dict) or doc.get("version") != MAPPING_VERSION:
        version = doc.get("version") if isinstance(doc, dict) else None
        raise ConfigError(f"{where}: version {version!r} is not {MAPPING_VERSION}", hint=hint)
    workspace_id = doc.get("workspace_id")
    raw = doc.get("log_types")
    if not isinstance(workspace_id, str) or not workspace_id or not isinstance(raw, dict):
        raise ConfigError(f"{where}: needs 'workspace_id' and 'log_types'", hint=hint)
    routes: dict[str, LogTypeRoute] = {}
    for log_type, value in raw.items():
        fields = []
        for key in ("endpoint", "dcr_immutable_id", "stream"):
            v = value.get(key) if isinstance(value, dict) else None
            if not isinstance(v, str) or not v:
                raise ConfigError(
                    f"{where}: log_types.{log_type}.{key} must be a non-empty string", hint=hint
                )
            fields.append(v)
        routes[log_type] = LogTypeRoute(log_type, *fields)
    return MappingDoc(workspace_id, routes)
