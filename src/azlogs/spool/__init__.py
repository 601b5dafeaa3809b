"""The agent's durable on-disk queue: append-only segments, a checksum per record, durable acks.

::

    spool = Spool.open("/var/lib/azlogs/spool", max_bytes=10 * 2**30)
    spool.append("nginx", [b'{"RawData": "..."}', ...])   # durable on return: checkpoint the input now
    batch = spool.lease(max_records=500, max_bytes=900_000)
    ...send batch.records for batch.stream_key...
    spool.ack(batch)                                       # or spool.nack(batch) to retry later

Delivery is at-least-once; the one duplicate window is a crash between the service's 204 and the
durable ack. Details, fsync policies and locking are in :mod:`azlogs.spool._spool`; the file
format is in :mod:`azlogs.spool._format`.
"""

from azlogs.spool._recovery import SpoolProblem
from azlogs.spool._spool import Spool
from azlogs.spool._storage import OsStorage, Storage, StorageFile
from azlogs.spool._types import Batch, FsyncPolicy, FullPolicy, SpoolStats

__all__ = [
    "Batch",
    "FsyncPolicy",
    "FullPolicy",
    "OsStorage",
    "Spool",
    "SpoolProblem",
    "SpoolStats",
    "Storage",
    "StorageFile",
]
