"""ingest: records into a DCR stream through the Logs Ingestion API.

Batching, encoding and compression, the retry policy and the per-batch flow are pure and shared;
``LogsClient`` (threads) and ``AsyncLogsClient`` (asyncio) only do the I/O.
"""

from __future__ import annotations

from azlogs._exceptions import EndpointError, RecordEncodeError, TlsVerifyError
from azlogs._http import RetryPolicy
from azlogs.facts import MAX_BODY_BYTES
from azlogs.ingest._async_client import AsyncLogsClient
from azlogs.ingest._batching import Batch, Batcher, iter_batches
from azlogs.ingest._client import LogsClient
from azlogs.ingest._diagnose import Target, diagnose, read_answer
from azlogs.ingest._encoding import (
    GZIP_LEVEL,
    JsonLine,
    encode_record,
    gzip_body,
)
from azlogs.ingest._files import DryRun, SentFiles, dry_run_files, send_files
from azlogs.ingest._handler import LogsIngestionHandler
from azlogs.ingest._result import RECORD_TOO_LARGE, FailedRecord, UploadError, UploadResult
from azlogs.ingest._retry import Fault, Verdict, classify_answer
from azlogs.ingest._tokens import SCOPE, Token, TokenCache
from azlogs.ingest._transport import ingestion_url

__all__ = [
    "GZIP_LEVEL",
    "MAX_BODY_BYTES",
    "RECORD_TOO_LARGE",
    "SCOPE",
    "AsyncLogsClient",
    "Batch",
    "Batcher",
    "DryRun",
    "EndpointError",
    "FailedRecord",
    "Fault",
    "JsonLine",
    "LogsClient",
    "LogsIngestionHandler",
    "RecordEncodeError",
    "RetryPolicy",
    "SentFiles",
    "Target",
    "TlsVerifyError",
    "Token",
    "TokenCache",
    "UploadError",
    "UploadResult",
    "Verdict",
    "classify_answer",
    "diagnose",
    "dry_run_files",
    "encode_record",
    "gzip_body",
    "ingestion_url",
    "iter_batches",
    "read_answer",
    "send_files",
]
