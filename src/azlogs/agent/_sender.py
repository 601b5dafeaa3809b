"""Senders: worker threads that lease batches from the spool and deliver them through LogsClient.

What happens to a leased batch, record by record:

- accepted (204): the batch is acked once every record in it is settled;
- refused as poison (the service refused the records themselves: a 400 whose code does not name the
  destination, a 413 for one record, a record too large or not a JSON object): written to the
  dead-letter directory with the service's reason, then counted as settled. A 400 for several
  records is bisected (up to ``bisect_budget`` extra requests per batch) so that one bad record
  does not take good ones with it; poison never blocks the head of the queue;
- a configuration error (an unknown stream, 400 ``InvalidStream``; an unknown DCR, 404 ``NotFound``;
  a missing role, 403 ``OperationFailed``; a refused token, 401): no record is to blame, so none is
  dead-lettered; the records stay spooled and are sent again after a backoff until the
  configuration is fixed, and the status shows the diagnosis (which stream, DCR or role to fix);
- anything else (429, 5xx, no connection, no token): sent again after a backoff, while the batch
  stays leased. The client itself already retried with its policy (Retry-After honoured).

Which is which is ``azlogs.ingest._retry.classify_answer``'s verdict on each failed record's status
and code: the client, the agent and doctor read an answer the same way.

When shutdown runs out of time mid-retry, the records not yet accepted go back to the spool: the
batch is nacked if none of it was sent, otherwise the rest is appended anew and the batch acked, so
a graceful stop never sends a record twice.
"""

from __future__ import annotations

import collections
import logging
import random
import threading
import time
from typing import Any

import httpx
import orjson

from azlogs._exceptions import SpoolError
from azlogs._http import Verify
from azlogs.agent._config import SenderConfig
from azlogs.agent._identity import Identities
from azlogs.agent._logging import redact
from azlogs.agent._routes import DeadLetters, Route, RouteTable
from azlogs.agent._stats import Stats, StreamStats
from azlogs.ingest import FailedRecord, LogsClient, RetryPolicy, Verdict, classify_answer
from azlogs.ingest.deadletter import raw_fields
from azlogs.spool import Batch, Spool

log = logging.getLogger("azlogs.agent.sender")


class Aborted(Exception):
    """Shutdown ran out of time: stop waiting and give the records back to the spool."""


class Destinations:
    """One LogsClient per route, created on first use, sharing credentials per identity."""

    def __init__(
        self,
        cfg: SenderConfig,
        identities: Identities,
        sleep: Any,
        verify: Verify = True,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.cfg = cfg
        self.identities = identities
        self._sleep = sleep
        self._verify = verify
        self._transport = transport
        self._clients: dict[str, LogsClient] = {}
        self._lock = threading.Lock()

    def client(self, route: Route) -> LogsClient:
        """The client for ``route``.

        Raises:
            AzlogsError: the identity source cannot be used (named, with the fix).
        """
        with self._lock:
            client = self._clients.get(route.key)
            if client is None:
                credential = self.identities.get(route.source, route.client_id)
                timeout = self.cfg.upload_timeout
                client = LogsClient(
                    route.endpoint,
                    route.dcr,
                    credential,
                    max_concurrency=self.cfg.workers,
                    timeout=httpx.Timeout(timeout, connect=min(10.0, timeout)),
                    deadline=timeout,
                    retry=RetryPolicy(max_elapsed=timeout, backoff_cap=min(30.0, self.cfg.backoff_max)),
                    sleep=self._sleep,
                    verify=self._verify,
                    transport=self._transport,
                    cloud=route.cloud,
                )
                self._clients[route.key] = client
            return client

    def close(self) -> None:
        """Close every client (connections and worker threads)."""
        with self._lock:
            clients = list(self._clients.values())
            self._clients.clear()
        for c in clients:
            c.close()


class Sender:
    """``cfg.workers`` threads draining the spool; see the module docstring for what they do."""

    def __init__(
        self,
        spool: Spool,
        routes: RouteTable,
        identities: Identities,
        dead_letters: DeadLetters,
        stats: Stats,
        cfg: SenderConfig,
        *,
        verify: Verify = True,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.spool = spool
        self.routes = routes
        self.dead_letters = dead_letters
        self.stats = stats
        self.cfg = cfg
        self._stop = threading.Event()
        self._abort = threading.Event()
        self.destinations = Destinations(cfg, identities, self._sleep, verify, transport)
        self._threads: list[threading.Thread] = []
        self._rng = random.Random()
        self._warned: dict[str, float] = collections.defaultdict(float)
        self.in_flight = 0
        self._flight_lock = threading.Lock()

    def start(self) -> None:
        """Start the worker threads."""
        for n in range(self.cfg.workers):
            t = threading.Thread(target=self._work, name=f"azlogs-sender-{n}", daemon=True)
            t.start()
            self._threads.append(t)

    def stop(self) -> None:
        """Lease nothing more; workers return once their batch is settled."""
        self._stop.set()

    def abort(self) -> None:
        """Stop waiting in retries: give unsent records back to the spool and return now."""
        self._stop.set()
        self._abort.set()

    def join(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the workers; True if they all returned."""
        deadline = time.monotonic() + timeout
        for t in self._threads:
            t.join(max(0.0, deadline - time.monotonic()))
        return not any(t.is_alive() for t in self._threads)

    def close(self) -> None:
        """Close the clients."""
        self.destinations.close()

    def _sleep(self, seconds: float) -> None:
        if self._abort.wait(seconds):
            raise Aborted

    # -- the work --------------------------------------------------------------------------------

    def _work(self) -> None:
        while not self._stop.is_set():
            try:
                batch = self.spool.lease(self.cfg.batch_records, self.cfg.batch_bytes, wait=0.5)
            except SpoolError as exc:
                if self.spool.closed:
                    return
                log.error("leasing from the spool failed: %s", exc)
                if self._abort.wait(1.0):
                    return
                continue
            if batch is None:
                continue
            with self._flight_lock:
                self.in_flight += 1
            try:
                self._deliver(batch)
            except Exception:
                log.exception("delivering a batch of %d records failed unexpectedly", len(batch.records))
                self._settle(batch, nack=True)
            finally:
                with self._flight_lock:
                    self.in_flight -= 1

    def _stream(self, route: Route) -> StreamStats:
        with self.stats.lock:
            st = self.stats.streams.get(route.key)
            if st is None:
                st = self.stats.streams[route.key] = StreamStats(
                    route.key, route.stream, route.endpoint, route.dcr, route.identity
                )
            return st

    def _deliver(self, batch: Batch) -> None:
        records = batch.records
        route = self.routes.get(batch.stream_key)
        if route is None:
            # routes.json lost or edited by hand: the records cannot be placed; keep them visible
            self._dead_letter(
                None,
                batch.stream_key,
                records,
                list(range(len(records))),
                f"no route is known for spool stream key {batch.stream_key!r} (routes.json)",
                None,
                None,
            )
            self._settle(batch)
            return
        st = self._stream(route)
        todo: collections.deque[list[int]] = collections.deque([list(range(len(records)))])
        later: list[int] = []
        sent_any = False
        budget = self.cfg.bisect_budget
        attempt = 0
        while True:
            while todo:
                group = todo.popleft()
                try:
                    client = self.destinations.client(route)
                    result = client.upload(route.stream, [records[i] for i in group])
                except Aborted:
                    later.extend(group)
                    return self._give_back(batch, later, sent_any)
                except Exception as exc:  # no credential, bad endpoint: wait and retry, keep the data
                    self._failed(st, f"{type(exc).__name__}: {exc}")
                    later.extend(group)
                    continue
                with self.stats.lock:
                    st.records_sent += result.records_sent
                    st.bytes_sent += result.bytes_sent
                    st.requests += result.requests
                    st.retried += result.retries
                    if result.records_sent:
                        st.last_sent_at = time.time()
                sent_any = sent_any or result.records_sent > 0
                # A stopped upload (a refused destination) leaves the rest of the group unread.
                later.extend(group[result.records_read :])
                if not result.failed:
                    continue
                budget = self._sort_failures(route, st, records, group, result.failed, todo, later, budget)
            if not later:
                break
            if self._stop.is_set() and self._abort.is_set():
                return self._give_back(batch, later, sent_any)
            attempt += 1
            delay = min(self.cfg.backoff_max, self.cfg.backoff_initial * 2 ** (attempt - 1))
            try:
                self._sleep(delay * (0.5 + self._rng.random() / 2))
            except Aborted:
                return self._give_back(batch, later, sent_any)
            with self.stats.lock:
                st.retried += 1
            todo.append(later)
            later = []
        self._settle(batch)

    def _sort_failures(
        self,
        route: Route,
        st: StreamStats,
        records: tuple[bytes, ...],
        group: list[int],
        failed: list[FailedRecord],
        todo: collections.deque[list[int]],
        later: list[int],
        budget: int,
    ) -> int:
        refused: list[tuple[int, FailedRecord]] = []
        poison: list[tuple[int, FailedRecord]] = []
        for item in failed:
            index = group[item.index]
            verdict = classify_answer(item.status, item.code).verdict
            if verdict is Verdict.REJECTED and item.status is not None:
                refused.append((index, item))  # the service refused the request: narrow it down
            elif verdict in (Verdict.REJECTED, Verdict.SPLIT):
                poison.append((index, item))  # refused one by one (too large, not a JSON object)
            else:
                later.append(index)
                self._failed(
                    st, item.reason, configuration=verdict in (Verdict.CONFIGURATION, Verdict.REAUTH)
                )
        if refused:
            if len(refused) > 1 and budget > 0:
                budget -= 1
                mid = len(refused) // 2
                todo.appendleft([i for i, _ in refused[mid:]])
                todo.appendleft([i for i, _ in refused[:mid]])
                with self.stats.lock:
                    st.bisections += 1
            else:
                poison.extend(refused)
        by_reason: dict[tuple[str, int | None, str | None], list[int]] = collections.defaultdict(list)
        for index, item in poison:
            by_reason[(item.reason, item.status, item.code)].append(index)
        for (reason, status, code), indexes in by_reason.items():
            if not self._dead_letter(route, route.key, records, indexes, reason, status, code):
                later.extend(indexes)
        return budget

    def _dead_letter(
        self,
        route: Route | None,
        key: str,
        records: tuple[bytes, ...],
        indexes: list[int],
        reason: str,
        status: int | None,
        code: str | None,
    ) -> bool:
        entries = []
        for i in indexes:
            raw = records[i]
            try:
                orjson.loads(raw)
                # The bytes as spooled, not re-encoded: orjson writes at most 255 levels of nesting,
                # and the entry must hold the record whatever its depth.
                content: dict[str, Any] = {"record": orjson.Fragment(raw)}
            except orjson.JSONDecodeError:
                content = raw_fields(raw)  # the one dead-letter format: raw, or raw_base64
            entries.append(
                {
                    "stream_key": key,
                    "stream": route.stream if route else None,
                    "endpoint": route.endpoint if route else None,
                    "dcr": route.dcr if route else None,
                    "status": status,
                    "code": code,
                    "reason": redact(reason),
                    **content,
                }
            )
        name = f"stream-{route.stream if route else key}"
        try:
            path = self.dead_letters.write(name, entries)
        except OSError as exc:
            log.error("cannot write the dead-letter directory: %s; the records stay spooled", exc)
            return False
        log.warning(
            "%d record(s) for %s dead-lettered to %s: %s",
            len(indexes),
            route.stream if route else key,
            path,
            redact(reason),
        )
        with self.stats.lock:
            st = self.stats.streams.get(key)
            if st is not None:
                st.dead_lettered += len(indexes)
                st.last_error = redact(reason)
                st.last_error_at = time.time()
        return True

    def _failed(self, st: StreamStats, reason: str, *, configuration: bool = False) -> None:
        text = redact(reason)
        with self.stats.lock:
            st.last_error = text
            st.last_error_at = time.time()
        now = time.monotonic()
        if now - self._warned[st.key] >= 10.0:
            self._warned[st.key] = now
            if configuration:
                log.error(
                    "sending to %s is refused by its configuration; the records stay spooled and are "
                    "retried until it is fixed: %s",
                    st.stream,
                    text,
                )
            else:
                log.warning("sending to %s failed, will retry: %s", st.stream, text)
            self.stats.error(f"stream {st.stream}", text)

    def _give_back(self, batch: Batch, unsent: list[int], sent_any: bool) -> None:
        """Shutdown mid-retry: the unsent records return to the spool, the sent ones are not resent."""
        if not sent_any:
            self._settle(batch, nack=True)
            return
        try:
            self.spool.append(batch.stream_key, [batch.records[i] for i in sorted(unsent)])
        except SpoolError as exc:
            log.warning(
                "could not re-spool %d unsent records (%s); the batch will be sent again", len(unsent), exc
            )
            self._settle(batch, nack=True)
            return
        self._settle(batch)

    def _settle(self, batch: Batch, *, nack: bool = False) -> None:
        try:
            if nack:
                self.spool.nack(batch)
            else:
                self.spool.ack(batch)
        except SpoolError as exc:  # the spool closed under us: the batch is delivered again next start
            log.info("batch %d not settled (%s); it will be delivered again", batch.lease_id, exc)
