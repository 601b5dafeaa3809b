"""The Log-Type -> DCR stream routes of the data-collector bridge.

They come from the mapping document ``azlogs migrate --output FILE`` writes (its one owner is
:mod:`azlogs.schema.migration_map`) and from ``log_types`` in the config.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from azlogs.schema import migration_map


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
    doc = migration_map.read_map(path)
    routes = {
        lt: LogTypeRoute(lt, r.endpoint, r.dcr_immutable_id, r.stream) for lt, r in doc.log_types.items()
    }
    return MappingDoc(doc.workspace_id, routes)
