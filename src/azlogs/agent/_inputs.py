"""Inputs: a thread per input that turns lines into records, spools them, then checkpoints.

The order is the guarantee: records are appended to the spool (durable when ``append`` returns),
lines that cannot be parsed are written to the dead-letter directory (fsynced), and only then is the
file position checkpointed. A crash anywhere before the checkpoint makes the lines be read again;
nothing is ever skipped. When the spool is full or its disk is, the input waits (and says why in the
status and the log) holding the lines it read; it never drops them.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable

from azlogs._exceptions import SpoolError, SpoolFullError, SpoolStorageError
from azlogs.agent._checkpoints import CheckpointStore
from azlogs.agent._config import InputConfig
from azlogs.agent._parsers import RecordBuilder, too_long_line
from azlogs.agent._routes import DeadLetters
from azlogs.agent._stats import InputStats, Stats
from azlogs.agent._tail import LONG_LINE_PREFIX, Chunk, FileTailer, new_fid
from azlogs.ingest.deadletter import BadLine
from azlogs.spool import Spool

log = logging.getLogger("azlogs.agent")

# One spool append carries at most this much: big enough that the fsync per append is amortised
# over thousands of lines, small enough to fit any sensible spool.
APPEND_BYTES = 4 << 20
STDIN_FLUSH_SECONDS = 0.1


class InputWorker(threading.Thread):
    """Runs one input until :meth:`stop`; subclasses read files or stdin."""

    def __init__(
        self,
        cfg: InputConfig,
        *,
        spool: Spool,
        stream_key: str,
        checkpoints: CheckpointStore,
        dead_letters: DeadLetters,
        stats: Stats,
    ) -> None:
        super().__init__(name=f"azlogs-input-{cfg.name}", daemon=True)
        self.cfg = cfg
        self.spool = spool
        self.stream_key = stream_key
        self.checkpoints = checkpoints
        self.dead_letters = dead_letters
        self.stats = stats
        self.builder = RecordBuilder(cfg)
        self._stop_event = threading.Event()
        with stats.lock:
            self.counters = stats.inputs[cfg.name] = InputStats(cfg.name, cfg.type, stream_key)
        self._last_warning = 0.0

    def stop(self) -> None:
        """Ask the input to finish its current step and return."""
        self._stop_event.set()

    def discard(self) -> None:
        """Release what the input holds when it is never started (a listener's socket)."""
        with self.stats.lock:
            self.stats.inputs.pop(self.cfg.name, None)

    @property
    def stopping(self) -> bool:
        return self._stop_event.is_set()

    def run(self) -> None:
        try:
            self.loop()
        except Exception as exc:  # an input must never die silently
            log.exception("input %s stopped on an unexpected error", self.cfg.name)
            self._note_error(f"stopped: {type(exc).__name__}: {exc}")

    def loop(self) -> None:
        raise NotImplementedError

    # -- shared steps ----------------------------------------------------------------------------

    def deliver(self, records: list[bytes], bad: list[BadLine]) -> bool:
        """Spool ``records`` and dead-letter ``bad``, waiting out a full spool or disk.

        Returns False when the input was stopped (or the spool closed) before everything was
        durable: the caller must not checkpoint.
        """
        i = 0
        slices = _slices(records, min(APPEND_BYTES, max(4096, self.spool.max_bytes // 4)))
        while i < len(slices):
            if self.stopping and self.spool.closed:
                return False
            try:
                self.spool.append(self.stream_key, slices[i])
            except SpoolFullError as exc:
                self._blocked(f"spool full: {exc.message}", exc)
                if self._stop_event.wait(0.5):
                    return False
                continue
            except SpoolStorageError as exc:
                what = "disk full" if exc.disk_full else "spool storage error"
                self._blocked(f"{what}: {exc.message}", exc)
                if self._stop_event.wait(1.0):
                    return False
                continue
            except SpoolError:
                return False
            i += 1
        while bad:
            try:
                self.dead_letters.write(
                    f"input-{self.cfg.name}", [{"input": self.cfg.name, **b.to_dict()} for b in bad]
                )
                break
            except OSError as exc:
                self._blocked(f"dead-letter directory not writable: {exc}", None)
                if self._stop_event.wait(1.0):
                    return False
        self.delivered(records, bad)
        return True

    def delivered(self, records: list[bytes], bad: list[BadLine]) -> None:
        """Count records spooled and bad lines dead-lettered; the input is no longer blocked."""
        with self.stats.lock:
            c = self.counters
            if c.blocked:
                log.info("input %s is moving again", self.cfg.name)
            c.blocked = None
            c.records_in += len(records)
            c.bad_lines += len(bad)
            c.bytes_read += sum(len(r) for r in records) if self.cfg.listener else 0

    def _blocked(self, why: str, exc: Exception | None) -> None:
        with self.stats.lock:
            self.counters.blocked = why
            self.counters.last_error = why
        now = time.monotonic()
        if now - self._last_warning >= 10.0:
            self._last_warning = now
            fix = getattr(exc, "hint", None)
            hint = f" (fix: {fix})" if fix else ""
            log.error("input %s is waiting: %s%s", self.cfg.name, why, hint)
            self.stats.error(f"input {self.cfg.name}", why)

    def _note_error(self, message: str) -> None:
        with self.stats.lock:
            self.counters.last_error = message
        self.stats.error(f"input {self.cfg.name}", message)


class FileInput(InputWorker):
    """Tails the files of one input (see :class:`azlogs.agent.FileTailer`)."""

    def __init__(self, cfg: InputConfig, **kwargs: object) -> None:
        super().__init__(cfg, **kwargs)  # type: ignore[arg-type]
        state = self.checkpoints.load(cfg.name)
        self.tailer = FileTailer(
            cfg.paths,
            cfg.exclude,
            state=state,
            start_at=cfg.start_at,
            first_start=self.checkpoints.mark_started(cfg.name),
            read_bytes=cfg.read_bytes,
            max_line_bytes=cfg.max_line_bytes,
            rotate_wait=cfg.rotate_wait,
            glob_interval=cfg.glob_interval,
            follow_symlinks=cfg.follow_symlinks,
        )
        # fids a checkpoint on disk already holds: a line's id is its fid and offset, so a fid
        # must be durable before the first line that carries it is spooled
        self._durable_fids = {str(e["fid"]) for e in state}

    def loop(self) -> None:
        try:
            while not self.stopping:
                chunks = self.tailer.poll()
                self._file_stats()
                if not chunks:
                    self._stop_event.wait(self.cfg.poll_interval)
                    continue
                records, bad = self._build(chunks)
                if any(ch.fid not in self._durable_fids for ch in chunks):
                    # A new file (or a truncated one's new generation): checkpoint it at the
                    # position before these lines first. Killed after the spool append and
                    # before the checkpoint below, the agent then reads them again under the
                    # same ids (a re-delivery the id column removes), not under a new random fid.
                    self._checkpoint()
                if not self.deliver(records, bad):
                    return
                self.tailer.commit(chunks)
                for chunk in chunks:
                    if chunk.final:
                        self.builder.forget(chunk.fid)
                self._checkpoint()
                with self.stats.lock:
                    c = self.counters
                    c.lines_read += sum(len(ch.lines) + len(ch.too_long) for ch in chunks)
                    c.bytes_read += sum(len(line) + 1 for ch in chunks for _, line in ch.lines)
        finally:
            self.tailer.close()

    def _checkpoint(self) -> None:
        entries = self.tailer.snapshot()
        if self.checkpoints.save(self.cfg.name, entries):
            self._durable_fids = {str(e["fid"]) for e in entries}
        else:
            with self.stats.lock:
                self.counters.checkpoint_errors += 1

    def _build(self, chunks: list[Chunk]) -> tuple[list[bytes], list[BadLine]]:
        records: list[bytes] = []
        bad: list[BadLine] = []
        for chunk in chunks:
            got, refused = self.builder.build(
                chunk.lines, fid=chunk.fid, source=chunk.path, header=_header(self.tailer, chunk)
            )
            records.extend(got)
            bad.extend(refused)
            limit = self.cfg.max_line_bytes
            bad.extend(too_long_line(chunk.path, *long, limit) for long in chunk.too_long)
        return records, bad

    def _file_stats(self) -> None:
        files = [
            {"path": f.path, "offset": f.committed, "fid": f.fid, "rotated": f.gone_since is not None}
            for f in self.tailer.files
        ]
        with self.stats.lock:
            c = self.counters
            c.files = files
            c.long_lines = self.tailer.long_lines
            c.rotations = self.tailer.rotations
            c.truncations = self.tailer.truncations
            c.symlinks_skipped = self.tailer.symlinks_skipped


def _header(tailer: FileTailer, chunk: Chunk) -> Callable[[], bytes | None]:
    return lambda: tailer.first_line(chunk)


class StdinInput(InputWorker):
    """Reads lines from the agent's standard input; at end of input the input is finished.

    Lines are spooled within ~0.1 s of arriving. A pipe cannot be read again, so lines still in
    the agent's memory when it is killed are lost; everything spooled is delivered.
    """

    def __init__(self, cfg: InputConfig, *, fd: int = 0, **kwargs: object) -> None:
        super().__init__(cfg, **kwargs)  # type: ignore[arg-type]
        self.fd = fd
        self.fid = new_fid()
        self._chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=64)
        self._long_at: int | None = None
        self._long_head = b""
        self._long_len = 0

    def _reader(self) -> None:
        while True:
            try:
                data = os.read(self.fd, 1 << 16)
            except OSError as exc:
                log.error("reading stdin failed: %s", exc)
                data = b""
            self._chunks.put(data or None)
            if not data:
                return

    def _skip_long(self, pending: bytes, offset: int, final: bool) -> tuple[list[BadLine], int]:
        """Consume the over-long line at the head of ``pending``: (its dead letter once whole, bytes used).

        Only the line's first bytes are held while the rest is skipped; nothing is consumed when
        the head of ``pending`` is not an over-long line.
        """
        limit = self.cfg.max_line_bytes
        nl = pending.find(b"\n")
        if self._long_at is None:
            head = pending if nl < 0 else pending[:nl]
            if len(head) - head.endswith(b"\r") <= limit:
                return [], 0  # a line within the limit, or the start of one
            self._long_at, self._long_head, self._long_len = offset, pending[:LONG_LINE_PREFIX], 0
        if nl < 0 and not final:
            self._long_len += len(pending)
            return [], len(pending)
        end = len(pending) if nl < 0 else nl
        length = self._long_len + len(pending[:end].rstrip(b"\r"))
        bad = too_long_line("<stdin>", self._long_at, self._long_head, length, limit)
        self._long_at, self._long_head = None, b""
        with self.stats.lock:
            self.counters.lines_read += 1
            self.counters.long_lines += 1
        return [bad], min(len(pending), end + 1)

    def loop(self) -> None:
        threading.Thread(target=self._reader, name="azlogs-stdin", daemon=True).start()
        pending = b""
        offset = 0
        eof = False
        while not eof:
            deadline = time.monotonic() + STDIN_FLUSH_SECONDS
            while len(pending) < max(1 << 20, self.cfg.max_line_bytes + 2):
                try:
                    data = self._chunks.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if data is None:
                    eof = True
                    break
                pending += data
            final = eof or self.stopping
            long_bad, skipped = self._skip_long(pending, offset, final)
            if skipped or long_bad:
                pending = pending[skipped:]
                offset += skipped
                if not self.deliver([], long_bad):
                    return
                continue
            # at the end of input (or on stop) an unterminated last line is a line too
            cut = len(pending) if final else pending.rfind(b"\n") + 1
            if cut <= 0:
                if self.stopping:
                    return
                continue
            lines: list[tuple[int, bytes]] = []
            over: list[BadLine] = []
            pos = offset
            limit = self.cfg.max_line_bytes
            for line in pending[:cut].split(b"\n"):
                text = line.rstrip(b"\r")
                if len(text) > limit:
                    over.append(too_long_line("<stdin>", pos, text[:LONG_LINE_PREFIX], len(text), limit))
                else:
                    lines.append((pos, text))
                pos += len(line) + 1
            if pending[:cut].endswith(b"\n"):
                lines.pop()  # split() leaves an empty piece after the last newline
            records, bad = self.builder.build(lines, fid=self.fid, source="<stdin>")
            bad.extend(over)
            if not self.deliver(records, bad):
                return
            with self.stats.lock:
                self.counters.lines_read += len(lines)
                self.counters.bytes_read += cut
            offset += cut
            pending = pending[cut:]
            if self.stopping:
                return
        with self.stats.lock:
            self.counters.finished = True
        log.info("input %s: end of stdin", self.cfg.name)


def _slices(records: list[bytes], limit: int) -> list[list[bytes]]:
    out: list[list[bytes]] = []
    current: list[bytes] = []
    size = 0
    for r in records:
        if current and size + len(r) + 64 > limit:
            out.append(current)
            current, size = [], 0
        current.append(r)
        size += len(r) + 64
    if current:
        out.append(current)
    return out
