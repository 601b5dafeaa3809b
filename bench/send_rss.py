"""Peak RSS of ``azlogs send`` reading input with no newline (issue 19), against a small input.

A script, not a test: ``.venv/bin/python bench/send_rss.py [--gigabytes N] [--format ndjson|json|csv]``.
The input is made by a generator process and piped to ``azlogs send - --dry-run`` (nothing written
to disk), so the reader alone is measured. It prints the peak RSS of a run on one small record (the
baseline: the interpreter and azlogs' imports) and of the run on N GB, side by side. The reader
holds at most one record's worth of input (``MAX_RECORD_BYTES`` plus a 1 MiB read chunk), so the
difference stays a few MiB whatever N is.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

AZLOGS = str(Path(sys.executable).parent / "azlogs")

_GENERATOR = """
import sys
out = sys.stdout.buffer
head, size = sys.argv[1].encode(), int(sys.argv[2])
out.write(head)
chunk = b"x" * (1 << 20)
while size > 0:
    out.write(chunk[: min(size, len(chunk))])
    size -= len(chunk)
out.write(b"\\n")
"""

HEADS = {"ndjson": '{"Message": "', "json": '[{"Message": "', "csv": "Message\n"}


def peak_rss(fmt: str, size: int) -> tuple[int, int]:
    """(peak RSS in bytes of `azlogs send`, its exit code) on a generated input of ``size`` bytes."""
    with tempfile.TemporaryDirectory() as tmp:
        gen = subprocess.Popen(
            [sys.executable, "-c", _GENERATOR, HEADS[fmt], str(size)], stdout=subprocess.PIPE
        )
        argv = [
            AZLOGS,
            "send",
            "-",
            "--format",
            fmt,
            "--dry-run",
            "--json",
            "--dead-letter",
            f"{tmp}/dead.ndjson",
        ]
        send = subprocess.Popen(argv, stdin=gen.stdout, stdout=subprocess.DEVNULL)
        assert gen.stdout is not None
        gen.stdout.close()
        _, status, usage = os.wait4(send.pid, 0)
        send.returncode = os.waitstatus_to_exitcode(status)
        gen.wait()
        return usage.ru_maxrss * 1024, send.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gigabytes", type=float, default=1.0)
    parser.add_argument("--format", choices=sorted(HEADS), default="ndjson")
    args = parser.parse_args()
    size = int(args.gigabytes * 1024**3)
    base, _ = peak_rss(args.format, 10)
    big, code = peak_rss(args.format, size)
    mib = 1024 * 1024
    print(f"{args.format}: peak RSS on a 10-byte record {base / mib:.1f} MiB")
    print(f"{args.format}: peak RSS on {size:,} bytes with no newline {big / mib:.1f} MiB (exit {code})")
    print(f"ratio {big / base:.2f}, difference {(big - base) / mib:.1f} MiB")


if __name__ == "__main__":
    main()
