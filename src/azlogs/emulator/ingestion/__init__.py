"""The emulator's data plane: the Logs Ingestion API over the workspace store.

:func:`plane` is what the server calls: it creates the workspace store (``ctx.store``)
and the ingestion service (``ctx.ingestion``) and returns their HTTPS routes.

* :mod:`.endpoint`  the POST endpoint: checks in the service's order, refusals, 204
* :mod:`.body`      wire size, gzip, JSON, the compact-JSON size rule
* :mod:`.plan`      per DCR stream: coercer, data flows, transformation hook, column maps
* :mod:`.pipeline`  records through a plan into table writes, with diagnostics
* :mod:`.throttle`  per-DCR requests and bytes per minute
* :mod:`.admin`     ``/_emulator/diagnostics`` and ``/_emulator/rows``
"""

from __future__ import annotations

import gc

from starlette.routing import BaseRoute

from azlogs.emulator.context import Context
from azlogs.emulator.ingestion.admin import admin_routes
from azlogs.emulator.ingestion.endpoint import API_VERSIONS, IngestionService
from azlogs.emulator.ingestion.plan import Transform, TransformFactory, kql_transform_factory
from azlogs.emulator.store.workspace_store import DB_NAME, WorkspaceStore

__all__ = [
    "API_VERSIONS",
    "IngestionService",
    "Transform",
    "TransformFactory",
    "kql_transform_factory",
    "plane",
]


# A 1 MB request makes about ten thousand short-lived, acyclic containers (parsed records, coerced
# rows); with CPython's default gen-0 threshold (700) the cyclic collector then runs every few hundred
# records and costs about a sixth of the ingestion throughput (measured). The emulator process raises
# the thresholds; it never lowers them.
GC_THRESHOLDS = (50_000, 20, 20)


def tune_gc() -> None:
    """Raise the cyclic collector's thresholds for the emulator process (see GC_THRESHOLDS)."""
    current = gc.get_threshold()
    gc.set_threshold(*(max(c, t) for c, t in zip(current, GC_THRESHOLDS, strict=True)))


def plane(ctx: Context) -> list[BaseRoute]:
    """Create the store and the ingestion service on ``ctx`` (once) and return their routes."""
    tune_gc()
    service: IngestionService | None = getattr(ctx, "ingestion", None)
    if service is None:
        store: WorkspaceStore | None = getattr(ctx, "store", None)
        if store is None:
            path = None if ctx.settings.in_memory else ctx.settings.data_dir / DB_NAME
            store = WorkspaceStore(path)
        service = IngestionService(ctx, store)
        # At shutdown the emulator closes the ingestion worker (it finishes its queue) before the
        # store (closing either twice is harmless).
        ctx.ingestion = service
        ctx.store = store
    service.sync_tables()
    return [*service.routes(), *admin_routes()]
