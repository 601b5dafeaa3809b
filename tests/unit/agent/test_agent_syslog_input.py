"""The syslog and cef inputs in-process: UDP, TCP and TLS senders on 127.0.0.1, records reaching a
recording endpoint (httpx.MockTransport) through the spool; malformed lines dead-lettered; a full spool
holds a TCP sender back instead of dropping."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from azlogs._exceptions import ConfigError
from azlogs.agent import load_config
from azlogs.emulator.tls import ensure_tls
from tests.unit.agent.conftest import Running, Sink, wait_for, write_config


def syslog_input(kind: str, protocol: str, extra: str = "", port: int = 0, name: str = "sys") -> str:
    return f"""
[[inputs]]
name = "{name}"
type = "{kind}"
listen = "127.0.0.1:{port}"
protocol = "{protocol}"
{extra}
"""


def address(agent: Running, name: str = "sys") -> tuple[str, int]:
    text = agent.status()["inputs"][name]["listen"]
    host, port = text.split("://", 1)[1].rsplit(":", 1)
    return host, int(port)


def dead_letters(tmp_path: Path) -> list[dict[str, object]]:
    out = []
    for p in sorted((tmp_path / "state" / "dead-letter").glob("*.ndjson")):
        out.extend(orjson.loads(x) for x in p.read_bytes().splitlines())
    return out


class TestUdp:
    def test_datagrams_land_as_syslog_rows_and_bad_ones_are_dead_lettered(
        self, tmp_path: Path, sink: Sink, run_agent: Callable[..., Running]
    ) -> None:
        """Each datagram is one message: RFC 5424 and 3164 rows land; a broken PRI is dead-lettered with its bytes."""
        agent = run_agent(write_config(tmp_path, syslog_input("syslog", "udp")))
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.sendto(b"<34>1 2026-12-04T05:00:00Z web-01 su - ID47 - 'su root' failed", address(agent))
            s.sendto(b"<38>Dec  4 05:00:01 web-02 sshd[42]: Accepted publickey", address(agent))
            s.sendto(b"<999>nope", address(agent))
        wait_for(lambda: len(sink.records) == 2, what="2 records")
        wait_for(lambda: len(dead_letters(tmp_path)) == 1, what="1 dead letter")
        agent.stop()
        rows = sorted(sink.records, key=lambda r: str(r["Computer"]))
        assert [(r["Computer"], r["Facility"], r["SeverityLevel"], r["ProcessName"]) for r in rows] == [
            ("web-01", "auth", "crit", "su"),
            ("web-02", "auth", "info", "sshd"),
        ]
        assert rows[1]["ProcessID"] == 42 and rows[0]["HostIP"] == "127.0.0.1"
        (dl,) = dead_letters(tmp_path)
        assert "out of range" in str(dl["reason"]) and dl["raw"] == "<999>nope"
        assert "127.0.0.1" in str(dl["source"])
        status = agent.status()["inputs"]["sys"]
        assert status["lines_read"] == 3 and status["records_in"] == 2 and status["bad_lines"] == 1

    def test_logger_utility_lands_lines(
        self, tmp_path: Path, sink: Sink, run_agent: Callable[..., Running]
    ) -> None:
        """util-linux ``logger --server --port --udp --rfc5424`` (and ``--rfc3164``) land unchanged text."""
        if shutil.which("logger") is None:
            pytest.fail("the logger utility (util-linux, bsdutils) is not installed")
        agent = run_agent(write_config(tmp_path, syslog_input("syslog", "udp")))
        host, port = address(agent)
        for flag, text in (("--rfc5424", "hello from 5424"), ("--rfc3164", "hello from 3164")):
            subprocess.run(
                [
                    "logger",
                    "--server",
                    host,
                    "--port",
                    str(port),
                    "--udp",
                    flag,
                    "-t",
                    "myapp",
                    "-p",
                    "local3.warning",
                    text,
                ],
                check=True,
                timeout=10,
            )
        wait_for(lambda: len(sink.records) == 2, what="2 records")
        agent.stop()
        by_text = {str(r["SyslogMessage"]).rsplit("] ", 1)[-1]: r for r in sink.records}
        assert set(by_text) == {"hello from 5424", "hello from 3164"}
        # logger's RFC 5424 messages carry a timeQuality SD element: kept, in front of the text
        assert str(by_text["hello from 5424"]["SyslogMessage"]).startswith("[timeQuality ")
        for r in by_text.values():
            assert (r["ProcessName"], r["Facility"], r["SeverityLevel"]) == ("myapp", "local3", "warning")


class TestTcp:
    def test_octet_counting_and_newline_frames_over_one_connection(
        self, tmp_path: Path, sink: Sink, run_agent: Callable[..., Running]
    ) -> None:
        """TCP frames of both kinds, split across sends, land in order; the connection count returns to 0."""
        agent = run_agent(write_config(tmp_path, syslog_input("syslog", "tcp")))
        msgs = [f"<13>1 - h app - - - message {i}".encode() for i in range(50)]
        stream = b"".join(b"%d %s" % (len(m), m) if i % 2 else m + b"\n" for i, m in enumerate(msgs))
        with socket.create_connection(address(agent)) as s:
            for i in range(0, len(stream), 37):
                s.sendall(stream[i : i + 37])
        wait_for(lambda: len(sink.records) == 50, what="50 records")
        wait_for(lambda: agent.status()["inputs"]["sys"]["connections"] == 0, what="connection closed")
        agent.stop()
        assert sorted(int(str(r["SyslogMessage"]).split()[-1]) for r in sink.records) == list(range(50))

    def test_logger_utility_over_tcp(
        self, tmp_path: Path, sink: Sink, run_agent: Callable[..., Running]
    ) -> None:
        """``logger --tcp --rfc5424`` (octet counting) lands its line."""
        if shutil.which("logger") is None:
            pytest.fail("the logger utility (util-linux, bsdutils) is not installed")
        agent = run_agent(write_config(tmp_path, syslog_input("syslog", "tcp")))
        host, port = address(agent)
        subprocess.run(
            ["logger", "--server", host, "--port", str(port), "--tcp", "--rfc5424", "-t", "svc", "over tcp"],
            check=True,
            timeout=10,
        )
        wait_for(lambda: len(sink.records) == 1, what="1 record")
        agent.stop()
        assert (
            str(sink.records[0]["SyslogMessage"]).endswith("] over tcp")
            and sink.records[0]["ProcessName"] == "svc"
        )

    def test_cef_over_tcp_lands_in_commonsecuritylog_columns(
        self, tmp_path: Path, sink: Sink, run_agent: Callable[..., Running]
    ) -> None:
        """A cef input maps CEF onto CommonSecurityLog columns; a syslog line without CEF is dead-lettered."""
        agent = run_agent(write_config(tmp_path, syslog_input("cef", "tcp")))
        lines = [
            b"<134>Dec  4 05:00:00 fw01 CEF:0|Palo Alto Networks|PAN-OS|11.1|traffic|end|3|src=10.1.1.1 dst=10.2.2.2 dpt=443 act=allow\n",
            b"<134>Dec  4 05:00:01 fw01 not cef at all\n",
        ]
        with socket.create_connection(address(agent)) as s:
            s.sendall(b"".join(lines))
        wait_for(
            lambda: len(sink.records) == 1 and len(dead_letters(tmp_path)) == 1,
            what="1 record, 1 dead letter",
        )
        agent.stop()
        (r,) = sink.records
        assert (r["DeviceVendor"], r["DestinationPort"], r["DeviceAction"], r["Computer"]) == (
            "Palo Alto Networks",
            443,
            "allow",
            "fw01",
        )
        assert "no 'CEF:'" in str(dead_letters(tmp_path)[0]["reason"])

    def test_full_spool_holds_the_sender_back_and_loses_nothing(
        self, tmp_path: Path, sink: Sink, run_agent: Callable[..., Running]
    ) -> None:
        """While the endpoint refuses (503) the spool fills; the input stops reading (TCP flow control holds the
        sender), and once the endpoint is back every message arrives exactly once."""
        open_gate = False
        sink.decide = lambda records: None if open_gate else __import__("httpx").Response(503)
        cfg = write_config(tmp_path, syslog_input("syslog", "tcp")).read_text()
        cfg = cfg.replace('max_size = "16MiB"', 'max_size = "1MiB"').replace(
            'segment_size = "1MiB"', 'segment_size = "256KiB"'
        )
        (tmp_path / "agent.toml").write_text(cfg)
        agent = run_agent(tmp_path / "agent.toml")
        pad = "x" * 400
        total = 40_000  # ~17 MB: more than the spool (1 MiB) and the kernel's socket buffers hold
        sock = socket.create_connection(address(agent))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)
        sock.settimeout(0.5)
        sent = 0
        stalled = False
        deadline = time.monotonic() + 60
        while sent < total and time.monotonic() < deadline:
            try:
                sock.sendall(f"<13>1 - h app - - - {sent} {pad}\n".encode())
                sent += 1
            except TimeoutError:
                stalled = True  # the agent stopped reading: the kernel's buffers are full
                break
        assert stalled, "the sender was never held back"
        assert agent.status()["inputs"]["sys"]["blocked"]
        open_gate = True
        sock.settimeout(30)
        while sent < total:
            sock.sendall(f"<13>1 - h app - - - {sent} {pad}\n".encode())
            sent += 1
        sock.close()
        wait_for(lambda: len(sink.records) >= total, timeout=60, what=f"{total} records")
        agent.stop()
        numbers = sorted(int(str(r["SyslogMessage"]).split()[0]) for r in sink.records)
        assert numbers == list(range(total))


class TestTls:
    def test_rfc5425_tls_with_the_users_certificate(
        self, tmp_path: Path, sink: Sink, run_agent: Callable[..., Running]
    ) -> None:
        """protocol = 'tls' serves TLS with the configured certificate; a client trusting its CA lands a line."""
        files = ensure_tls(tmp_path / "tls", ["127.0.0.1"])  # a CA and a server certificate, as a user has
        extra = f'tls_cert = "{files.server_cert}"\ntls_key = "{files.server_key}"'
        agent = run_agent(write_config(tmp_path, syslog_input("syslog", "tls", extra)))
        ctx = ssl.create_default_context(cafile=str(files.ca_cert))
        with (
            socket.create_connection(address(agent)) as raw,
            ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s,
        ):
            m = b"<14>1 2026-12-04T05:00:00Z tlshost app - - - over tls"
            s.sendall(b"%d %s" % (len(m), m))
        wait_for(lambda: len(sink.records) == 1, what="1 record")
        agent.stop()
        assert sink.records[0]["Computer"] == "tlshost" and sink.records[0]["SyslogMessage"] == "over tls"


class TestConfig:
    @pytest.mark.parametrize(
        ("extra", "protocol", "message"),
        [
            ("", "tls", "needs tls_cert and tls_key"),
            ('tls_cert = "x"\ntls_key = "y"', "udp", "need protocol = 'tls'"),
            ('timezone = "Mars/Olympus"', "udp", "not a time zone"),
            ('path = "/x"', "udp", "only apply to http and data-collector"),
        ],
    )
    def test_bad_settings_are_named(self, tmp_path: Path, extra: str, protocol: str, message: str) -> None:
        """A syslog input's settings are checked at load time, each error naming the setting."""
        with pytest.raises(ConfigError, match=message):
            load_config(write_config(tmp_path, syslog_input("syslog", protocol, extra)), env={})

    def test_syslog_keys_on_a_file_input_are_refused(self, tmp_path: Path) -> None:
        """``protocol`` on a file input is a mistake, said so."""
        inputs = '[[inputs]]\nname = "f"\npaths = ["/tmp/x.log"]\nprotocol = "udp"\n'
        with pytest.raises(ConfigError, match="only apply to syslog and cef"):
            load_config(write_config(tmp_path, inputs), env={})
