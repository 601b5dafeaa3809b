"""The listener inputs: ``http`` (JSON or NDJSON POSTs) and ``data-collector`` (the retired HTTP Data
Collector API, for legacy senders), both spooling like file inputs.

The order is the guarantee, as for files: a sender gets its 200 only after its records are in the spool
(durable when ``append`` returns, per the spool's fsync policy) and its bad records in the dead-letter
directory (fsynced). A spool that stays full for ``[spool].block_timeout``, a full disk or a stopping
agent answer 503 with ``Retry-After``: the sender keeps the records and sends them again; nothing is
dropped silently. A SIGKILL before the append returns leaves the sender without a 200.

The data-collector input checks what the API checked, in its order, with its answers (owned by
:mod:`azlogs.schema.datacollector`, which the emulator's endpoint uses too), then posts the legacy JSON
records unchanged to the DCR stream its ``Log-Type`` maps to (``azlogs migrate``'s mapping file, or
``log_types`` in the config). Keys and signatures are never logged nor answered.
"""

from __future__ import annotations

import hmac
import logging
import re
import time
import uuid
import zlib
from datetime import datetime, timezone
from typing import Any, Final

import orjson

from azlogs._exceptions import SpoolError, SpoolFullError, SpoolStorageError
from azlogs.agent._config import InputConfig, Listen, loopback
from azlogs.agent._inputs import APPEND_BYTES, InputWorker, _slices
from azlogs.agent._listen import Answer, BodyTooLarge, Incoming, Listener
from azlogs.agent._mapping import LogTypeRoute
from azlogs.agent._parsers import compact, too_long_line
from azlogs.agent._tail import LONG_LINE_PREFIX
from azlogs.ingest.deadletter import BadLine
from azlogs.otel import otlp
from azlogs.schema import datacollector as dc

log = logging.getLogger("azlogs.agent")

_ODS_PATH: Final = re.compile(r"^/ods/([^/]+)/api/logs/?$")
_API_LOGS: Final = ("/api/logs", "/api/logs/")


class NotSpooled(Exception):
    """The records could not be made durable now (spool full, disk full, agent stopping)."""


def in_the_clear(listen: Listen) -> bool:
    """Whether a listener takes posts from the network without TLS (warned about at start)."""
    return not listen.tls_cert and not loopback(listen.host)


class ListenerInput(InputWorker):
    """An input that serves HTTP: its thread accepts connections, each request spools on its own thread."""

    def __init__(self, cfg: InputConfig, **kwargs: Any) -> None:
        super().__init__(cfg, **kwargs)
        assert cfg.listen is not None
        self.listener = Listener(cfg.listen, self.handle, cfg.name)
        with self.stats.lock:
            self.counters.listen = self.listener.address

    def discard(self) -> None:
        self.listener.close()
        super().discard()

    def loop(self) -> None:
        log.info("input %s listening on %s", self.cfg.name, self.listener.address)
        if self.cfg.listen is not None and in_the_clear(self.cfg.listen):
            log.warning(
                "input %s listens on %s without TLS: what senders post, and their signatures or tokens, "
                "cross the network in the clear (set tls_cert and tls_key)",
                self.cfg.name,
                self.listener.address,
            )
        self.listener.serve(lambda: self.stopping)

    def handle(self, request: Incoming) -> Answer:
        raise NotImplementedError

    def spool_records(self, key: str, records: list[bytes], bad: list[BadLine]) -> None:
        """Dead-letter ``bad`` and spool ``records``, both durable on return.

        Raises:
            NotSpooled: a full spool (after the spool's block_timeout), a full or failing disk, or a
                stopping agent; the sender must send again (the bad records may then be written twice).
        """
        if bad:
            try:
                self.dead_letters.write(
                    f"input-{self.cfg.name}", [{"input": self.cfg.name, **b.to_dict()} for b in bad]
                )
            except OSError as exc:
                self._blocked(f"dead-letter directory not writable: {exc}", None)
                raise NotSpooled("the dead-letter directory is not writable") from exc
        limit = min(APPEND_BYTES * 8, max(4096, self.spool.max_bytes // 4))
        # One append per request where it fits: all or nothing, so a 503 never leaves half of it spooled.
        slices = _slices(records, limit) if records else []
        try:
            for part in slices:
                self.spool.append(key, part)
        except SpoolFullError as exc:
            self._blocked(f"spool full: {exc.message}", exc)
            raise NotSpooled("the agent's spool is full") from exc
        except SpoolStorageError as exc:
            self._blocked(f"{'disk full' if exc.disk_full else 'spool storage error'}: {exc.message}", exc)
            raise NotSpooled(
                "the agent's disk is full" if exc.disk_full else "the agent's disk failed"
            ) from exc
        except SpoolError as exc:
            raise NotSpooled("the agent is stopping") from exc
        self.delivered(records, bad)

    def count(self, status: int) -> None:
        with self.stats.lock:
            self.counters.requests += 1
            if status != 200:
                self.counters.refused += 1


def _json(doc: Any) -> bytes:
    return orjson.dumps(doc)


class HttpInput(ListenerInput):
    """``POST {path}`` with a JSON array (or object) or NDJSON; bearer or shared-secret auth.

    Answers 200 ``{"accepted": n, "dead_lettered": m}`` once the records are spooled and the records
    that are not JSON objects are dead-lettered with the reason; 400 for a body that is not a JSON
    array nor NDJSON at all (nothing kept); 401 without the secret; 404 for another path; 413 over
    ``max_body``; 503 with ``Retry-After`` when the spool cannot take the records now.
    """

    def handle(self, request: Incoming) -> Answer:
        answer = self._answer_request(request)
        self.count(answer.status)
        return answer

    def _error(self, status: int, code: str, message: str, **headers: str) -> Answer:
        return Answer(status, _json({"error": {"code": code, "message": message}}), dict(headers))

    def _answer_request(self, request: Incoming) -> Answer:
        cfg = self.cfg
        assert cfg.listen is not None
        if request.path.rstrip("/") != cfg.http_path.rstrip("/"):
            return self._error(404, "NotFound", f"POST records to {cfg.http_path}")
        if request.method != "POST":
            return self._error(405, "MethodNotAllowed", f"POST records to {cfg.http_path}")
        if not self._authorized(request.headers):
            how = (
                "Authorization: Bearer <token>" if cfg.auth == "bearer" else f"{cfg.secret_header}: <secret>"
            )
            return self._error(401, "Unauthorized", f"send {how}", **{"WWW-Authenticate": "Bearer"})
        try:
            raw = request.read(cfg.listen.max_body)
        except BodyTooLarge:
            return self._error(413, "RequestTooLarge", f"the body is over {cfg.listen.max_body:,} bytes")
        encoding = request.headers.get("content-encoding", "").strip().lower()
        if encoding == "gzip":
            try:
                raw = _gunzip(raw, cfg.listen.max_body)
            except BodyTooLarge:
                return self._error(
                    413, "RequestTooLarge", f"the body inflates past {cfg.listen.max_body:,} bytes"
                )
            except zlib.error as exc:
                return self._error(400, "InvalidContentEncoding", f"the body is not gzip: {exc}")
        elif encoding not in ("", "identity"):
            return self._error(415, "UnsupportedContentEncoding", "send the body plain or gzip")
        source = f"http {request.peer}"
        try:
            lines = _lines(raw)
        except ValueError as exc:
            return self._error(400, "InvalidJson", str(exc))
        limit = cfg.max_line_bytes  # one record over it is dead-lettered by its first bytes, as for files
        long = [
            too_long_line(source, o, x[:LONG_LINE_PREFIX], len(x), limit) for o, x in lines if len(x) > limit
        ]
        if long:
            lines = [(o, x) for o, x in lines if len(x) <= limit]
        records, bad = self.builder.build(lines, fid=f"h{uuid.uuid4().hex[:12]}", source=source)
        bad = long + bad
        try:
            self.spool_records(self.stream_key, records, bad)
        except NotSpooled as exc:
            retry = str(cfg.listen.retry_after)
            return self._error(
                503, "ServiceUnavailable", f"{exc}; send again later", **{"Retry-After": retry}
            )
        return Answer(200, _json({"accepted": len(records), "dead_lettered": len(bad)}))

    def _authorized(self, headers: dict[str, str]) -> bool:
        cfg = self.cfg
        if cfg.auth == "none":
            return True
        if cfg.auth == "bearer":
            scheme, _, given = headers.get("authorization", "").partition(" ")
            if scheme.lower() != "bearer":
                return False
        else:
            given = headers.get(cfg.secret_header.lower(), "")
        ok = False
        for secret in cfg.secrets:
            ok |= hmac.compare_digest(secret.encode(), given.strip().encode())
        return ok


def _gunzip(raw: bytes, limit: int) -> bytes:
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = d.decompress(raw, limit + 1)
    if len(out) > limit or d.unconsumed_tail:
        raise BodyTooLarge
    return out + d.flush()


def _lines(raw: bytes) -> list[tuple[int, bytes]]:
    """``(offset, JSON text)`` of each record: the elements of a JSON array, or the lines of NDJSON.

    Raises:
        ValueError: a body that starts as an array but is not valid JSON.
    """
    body = raw.strip()
    if body.startswith(b"["):
        try:
            value = dc.load_json(body)
        except ValueError as exc:
            raise ValueError(f"the body starts as a JSON array but is not valid JSON: {exc}") from None
        if not isinstance(value, list):
            raise ValueError("the body is not a JSON array")
        # Each element goes through the JSON line parser, which dead-letters what is not an object.
        try:
            return [(i, compact(orjson.dumps(v))) for i, v in enumerate(value)]
        except orjson.JSONEncodeError as exc:  # a lone surrogate the standard parser let through
            raise ValueError(f"the body is not valid JSON: {exc}") from None
    if body.startswith(b"{") and b"\n" in body:  # one object, maybe pretty-printed; else NDJSON
        try:
            if isinstance(dc.load_json(body), dict):
                return [(0, body)]
        except ValueError:
            pass
    out = []
    pos = 0
    for line in raw.split(b"\n"):
        out.append((pos, line))
        pos += len(line) + 1
    return out


class DataCollectorInput(ListenerInput):
    """The HTTP Data Collector API (``POST /api/logs?api-version=2016-04-01``) in front of the spool."""

    def __init__(self, cfg: InputConfig, *, route_keys: dict[str, str], **kwargs: Any) -> None:
        super().__init__(cfg, **kwargs)
        assert cfg.workspace_id is not None
        self.route_keys = route_keys
        self._by_type: dict[str, LogTypeRoute] = {r.log_type: r for r in cfg.log_types}
        self._folded: dict[str, list[LogTypeRoute]] = {}
        for r in cfg.log_types:
            self._folded.setdefault(r.log_type.lower(), []).append(r)
        self._last_refusal = 0.0

    def route(self, log_type: str) -> LogTypeRoute | None:
        """The route of ``log_type``: exact, else the one equal ignoring case (table names are)."""
        exact = self._by_type.get(log_type)
        if exact is not None:
            return exact
        folded = self._folded.get(log_type.lower(), [])
        return folded[0] if len(folded) == 1 else None

    def handle(self, request: Incoming) -> Answer:
        try:
            self._answer_request(request)
            answer = Answer(200)
        except dc.Refusal as exc:
            headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else {}
            answer = Answer(exc.status, exc.body(), headers)
            self._refused(request, exc)
        self.count(answer.status)
        return answer

    def _refused(self, request: Incoming, exc: dc.Refusal) -> None:
        now = time.monotonic()
        if now - self._last_refusal >= 10.0:  # one line per 10 s: a misconfigured sender must not flood
            self._last_refusal = now
            log.warning(
                "input %s: refused a post from %s: %d %s %s",
                self.cfg.name,
                request.peer,
                exc.status,
                exc.code or "-",
                exc.message,
            )

    def _answer_request(self, request: Incoming) -> None:
        cfg = self.cfg
        assert cfg.listen is not None and cfg.workspace_id is not None
        m = _ODS_PATH.match(request.path)
        if m is None and request.path not in _API_LOGS:
            raise dc.too_large()  # the API's 404 for a URL it does not serve
        if request.method != "POST":
            raise dc.Refusal(405, "MethodNotAllowed", "POST to /api/logs.")
        workspace = m.group(1) if m is not None else cfg.workspace_id
        log_type, given = dc.check_headers(request.query.get("api-version"), workspace, request.headers)
        date = dc.check_date(request.headers.get("x-ms-date"), datetime.now(timezone.utc))
        if workspace.lower() != cfg.workspace_id.lower():
            raise dc.unknown_workspace(workspace)
        try:
            raw = request.read(cfg.listen.max_body)
        except BodyTooLarge:
            raise dc.too_large() from None
        if not dc.signature_matches(given, cfg.secrets, len(raw), date):
            raise dc.bad_signature()
        route = self.route(log_type)
        if route is None:
            raise dc.Refusal(
                400,
                "InvalidLogType",
                f"The Log-Type '{log_type}' is not mapped to a data collection rule stream by this bridge; "
                "add it to the bridge's mapping (azlogs migrate) or its log_types.",
            )
        records = dc.parse_records(raw)
        field = cfg.resource_id_field
        resource_id = request.headers.get("x-ms-azureresourceid") if field else None
        out: list[bytes] = []
        try:
            for rec in records:
                if resource_id is not None and field is not None:
                    rec = {**rec, field: resource_id}
                out.append(compact(orjson.dumps(rec)))
        except orjson.JSONEncodeError as exc:  # a lone surrogate the standard parser let through
            raise dc.bad_data(f"The body is not valid JSON: {exc}") from None
        try:
            self.spool_records(self.route_keys[route.log_type], out, [])
        except NotSpooled as exc:
            raise dc.Refusal(
                503, "ServiceUnavailable", f"{exc}; send again later.", retry_after=cfg.listen.retry_after
            ) from exc


class OtlpInput(HttpInput):
    """An OTLP/HTTP logs receiver: ``POST /v1/logs`` (``path``) with an ``ExportLogsServiceRequest``,
    protobuf (``application/x-protobuf``) or JSON, gzip or plain, as a stock OpenTelemetry exporter or
    Collector sends it. Each log record becomes a row of the OTel logs columns
    (:data:`azlogs.otel.TABLE_COLUMNS`, the mapping the emulator's OTLP endpoint uses) on the input's
    stream. Answers OTLP's success (an empty ``ExportLogsServiceResponse``) only once the rows are spooled;
    400 for a body that is not OTLP (nothing kept), 415 for another content type, and 503 with
    ``Retry-After`` when the spool cannot take them now (OTLP exporters retry 503 and honour it).
    """

    def _answer_request(self, request: Incoming) -> Answer:
        cfg = self.cfg
        assert cfg.listen is not None
        if request.path.rstrip("/") != cfg.http_path.rstrip("/"):
            return self._error(404, "NotFound", f"POST OTLP logs to {cfg.http_path}")
        if request.method != "POST":
            return self._error(405, "MethodNotAllowed", f"POST OTLP logs to {cfg.http_path}")
        if not self._authorized(request.headers):
            how = (
                "Authorization: Bearer <token>" if cfg.auth == "bearer" else f"{cfg.secret_header}: <secret>"
            )
            return self._error(401, "Unauthorized", f"send {how}", **{"WWW-Authenticate": "Bearer"})
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media not in (otlp.PROTOBUF, otlp.JSON):
            return self._error(415, "UnsupportedMediaType", "send application/x-protobuf or application/json")
        try:
            raw = request.read(cfg.listen.max_body)
        except BodyTooLarge:
            return self._error(413, "RequestTooLarge", f"the body is over {cfg.listen.max_body:,} bytes")
        encoding = request.headers.get("content-encoding", "").strip().lower()
        if encoding == "gzip":
            try:
                raw = _gunzip(raw, cfg.listen.max_body)
            except BodyTooLarge:
                return self._error(
                    413, "RequestTooLarge", f"the body inflates past {cfg.listen.max_body:,} bytes"
                )
            except zlib.error as exc:
                return self._error(400, "InvalidContentEncoding", f"the body is not gzip: {exc}")
        elif encoding not in ("", "identity"):
            return self._error(415, "UnsupportedContentEncoding", "send the body plain or gzip")
        try:
            rows = otlp.decode(raw, media)
        except otlp.OtlpDecodeError as exc:
            return self._error(400, "InvalidOtlp", f"the body is not an OTLP logs request: {exc}")
        records = [orjson.dumps(row) for row in rows]
        try:
            self.spool_records(self.stream_key, records, [])
        except NotSpooled as exc:
            retry = str(cfg.listen.retry_after)
            return self._error(
                503, "ServiceUnavailable", f"{exc}; send again later", **{"Retry-After": retry}
            )
        body, content_type = otlp.response(media)
        return Answer(200, body, content_type=content_type)
