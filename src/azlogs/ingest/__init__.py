"""ingest: records into a DCR stream through the Logs Ingestion API.

Batching, encoding and compression, the retry policy and the per-batch flow are pure and shared;
``LogsClient`` (threads) and ``AsyncLogsClient`` (asyncio) only do the I/O.
"""

from azlogs._http import RetryPolicy
from azlogs.ingest._async_client import AsyncLogsClient
from azlogs.ingest._client import LogsClient
from azlogs.ingest._diagnose import Target, diagnose, read_answer
from azlogs.ingest._encoding import JsonLine
from azlogs.ingest._files import DryRun, SentFiles, dry_run_files, send_files
from azlogs.ingest._handler import LogsIngestionHandler
from azlogs.ingest._result import RECORD_TOO_LARGE, FailedRecord, UploadError, UploadResult
from azlogs.ingest._retry import Fault, Verdict, classify_answer
from azlogs.ingest._transport import ingestion_url

__all__ = [
    "RECORD_TOO_LARGE",
    "AsyncLogsClient",
    "DryRun",
    "FailedRecord",
    "Fault",
    "JsonLine",
    "LogsClient",
    "LogsIngestionHandler",
    "RetryPolicy",
    "SentFiles",
    "Target",
    "UploadError",
    "UploadResult",
    "Verdict",
    "classify_answer",
    "diagnose",
    "dry_run_files",
    "ingestion_url",
    "read_answer",
    "send_files",
]
