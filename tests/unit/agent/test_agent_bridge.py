"""The agent's listener inputs in-process: the data-collector bridge and the http input, posted to over
127.0.0.1 by a plain client, spooling to a recording endpoint (httpx.MockTransport)."""

from __future__ import annotations

import base64
import email.utils
import errno
import gzip
import json
import logging
import socket
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import orjson
import pytest
from click.testing import CliRunner

from azlogs._exceptions import ConfigError
from azlogs.agent import Agent, _listen, load_config
from azlogs.agent._bridge import in_the_clear
from azlogs.agent._config import Listen
from azlogs.agent._listen import Answer, Incoming, Listener
from azlogs.agent._stats import prometheus
from azlogs.cli import main
from azlogs.schema import datacollector as dc
from azlogs.spool._faults import FaultyStorage
from tests.unit.agent.conftest import ENDPOINT, Running, Sink, credentials, wait_for, write_config
from tests.unit.agent.test_agent_pipeline import dead_letters

WORKSPACE = "00000000-1111-2222-3333-444444444444"
KEY = base64.b64encode(b"bridge-test-key-" * 4).decode()
TOKEN = "t0ken-for-the-http-input"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def dc_input(tmp_path: Path, port: int, extra: str = "") -> str:
    (tmp_path / "key").write_text(KEY + "\n")
    return f"""
[[inputs]]
name = "legacy"
type = "data-collector"
listen = "127.0.0.1:{port}"
workspace_id = "{WORKSPACE}"
shared_key_file = "key"
log_types = {{ MyApp = {{ stream = "Custom-MyApp_CL" }}, Other = {{ stream = "Custom-Other_CL" }} }}
{extra}
"""


def http_input(tmp_path: Path, port: int, extra: str = "") -> str:
    (tmp_path / "token").write_text(TOKEN + "\n")
    return f"""
[[inputs]]
name = "hook"
type = "http"
listen = "127.0.0.1:{port}"
path = "/ingest"
secret_file = "token"
{extra}
"""


def rfc1123(when: datetime | None = None) -> str:
    return email.utils.format_datetime(when or datetime.now(timezone.utc), usegmt=True)


def dc_post(
    port: int,
    body: bytes,
    log_type: str = "MyApp",
    *,
    key: str = KEY,
    workspace: str = WORKSPACE,
    date: str | None = None,
    path: str = "/api/logs",
    extra: dict[str, str] | None = None,
) -> httpx.Response:
    """A legacy sender's post: the documented signature over the body's length and the date."""
    date = date or rfc1123()
    headers = {
        "Content-Type": "application/json",
        "Log-Type": log_type,
        "x-ms-date": date,
        "Authorization": dc.authorization(workspace, key, len(body), date),
        **(extra or {}),
    }
    with httpx.Client(trust_env=False, timeout=30) as c:
        return c.post(f"http://127.0.0.1:{port}{path}?api-version=2016-04-01", content=body, headers=headers)


class Streams:
    """The recording endpoint, also noting which stream each record was posted to."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.by_stream: dict[str, int] = {}
        self.lock = threading.Lock()

    def transport(self) -> httpx.MockTransport:
        def handler(request: httpx.Request) -> httpx.Response:
            answer = self.sink.handler(request)
            if answer.status_code == 204:
                stream = request.url.path.rsplit("/", 1)[1]
                n = len(orjson.loads(gzip.decompress(request.content)))
                with self.lock:
                    self.by_stream[stream] = self.by_stream.get(stream, 0) + n
            return answer

        return httpx.MockTransport(handler)


class TestDataCollectorBridge:
    def test_signed_posts_land_unchanged_on_the_mapped_streams(
        self, tmp_path: Path, sink: Sink, run_agent: Callable[..., Running]
    ) -> None:
        """A signed post answers 200 and its records reach the stream of its Log-Type, unchanged."""
        port = free_port()
        streams = Streams(sink)
        agent = run_agent(write_config(tmp_path, dc_input(tmp_path, port)), transport=streams.transport())
        records = [{"Name": "a", "Count": 1, "Ok": True}, {"Name": "b", "Count": 2.5, "Nested": {"x": [1]}}]
        r = dc_post(port, json.dumps(records).encode())
        assert r.status_code == 200, r.text
        assert (
            dc_post(port, json.dumps({"Name": "c"}).encode(), "other").status_code == 200
        )  # case-insensitive
        wait_for(lambda: len(sink.records) == 3, what="3 records")
        assert agent.stop() == 0
        assert sorted(sink.records, key=lambda x: str(x["Name"])) == [*records, {"Name": "c"}]
        assert streams.by_stream == {"Custom-MyApp_CL": 2, "Custom-Other_CL": 1}
        status = json.loads((tmp_path / "state" / "status.json").read_text())
        assert status["inputs"]["legacy"]["requests"] == 2
        assert status["inputs"]["legacy"]["listen"] == f"http://127.0.0.1:{port}"

    def test_the_emulators_path_shape_is_served_too(
        self, tmp_path: Path, sink: Sink, run_agent: Callable[..., Running]
    ) -> None:
        """/ods/{workspaceId}/api/logs (emulator.json's data_collector) works; another workspace's id is 403."""
        port = free_port()
        run_agent(write_config(tmp_path, dc_input(tmp_path, port)))
        assert dc_post(port, b'{"a": 1}', path=f"/ods/{WORKSPACE}/api/logs").status_code == 200
        other = str(uuid.uuid4())
        r = dc_post(port, b'{"a": 1}', workspace=other, path=f"/ods/{other}/api/logs")
        assert r.status_code == 403
        assert r.json() == {"Error": "InvalidAuthorization", "Message": dc.unknown_workspace(other).message}
        wait_for(lambda: len(sink.records) == 1, what="1 record")

    def test_refusals_are_the_apis_answers_and_nothing_is_spooled(
        self, tmp_path: Path, sink: Sink, run_agent: Callable[..., Running]
    ) -> None:
        """Bad signature, wrong workspace, old date, oversized body, bad or unmapped Log-Type, reserved
        property, bad api-version: the Data Collector API's status and code; none of it is spooled."""
        port = free_port()
        agent = run_agent(write_config(tmp_path, dc_input(tmp_path, port, 'max_body = "4KiB"')))
        body = b'{"a": 1}'
        other_key = base64.b64encode(b"another-key-" * 4).decode()
        cases = {
            "bad signature": (dc_post(port, body, key=other_key), 403, "InvalidAuthorization"),
            "wrong workspace": (
                dc_post(port, body, workspace=str(uuid.uuid4())),
                403,
                "InvalidAuthorization",
            ),
            "old date": (
                dc_post(port, body, date=rfc1123(datetime.now(timezone.utc) - timedelta(hours=1))),
                403,
                "InvalidAuthorization",
            ),
            "bad date": (dc_post(port, body, date="yesterday"), 403, "InvalidAuthorization"),
            "oversized": (dc_post(port, b'{"a": "' + b"x" * 5000 + b'"}'), 404, None),
            "bad Log-Type": (dc_post(port, body, "My-App"), 400, "InvalidLogType"),
            "unmapped Log-Type": (dc_post(port, body, "Unknown"), 400, "InvalidLogType"),
            "reserved property": (dc_post(port, b'{"TimeGenerated": "x"}'), 400, "InvalidDataFormat"),
            "not JSON": (dc_post(port, b"{nope"), 400, "InvalidDataFormat"),
        }
        for what, (r, status, code) in cases.items():
            assert r.status_code == status, (what, r.text)
            assert (r.json().get("Error") if r.content and r.json() else None) == code, what
        with httpx.Client(trust_env=False) as c:
            r = c.post(f"http://127.0.0.1:{port}/api/logs?api-version=2015-01-01", content=body)
        assert r.json()["Error"] == "InvalidApiVersion"
        assert agent.stop() == 0
        assert sink.records == []
        status = json.loads((tmp_path / "state" / "status.json").read_text())
        assert status["totals"]["records_in"] == 0
        assert status["inputs"]["legacy"]["refused"] == len(cases) + 1

    def test_the_key_and_signatures_are_never_logged_nor_answered(
        self, tmp_path: Path, run_agent: Callable[..., Running], caplog: pytest.LogCaptureFixture
    ) -> None:
        """At debug level, neither the shared key nor any signature appears in the log or an answer."""
        caplog.set_level(logging.DEBUG)
        port = free_port()
        run_agent(write_config(tmp_path, dc_input(tmp_path, port)))
        date = rfc1123()
        wrong = base64.b64encode(b"z" * 64).decode()
        sent = [dc.signature(k, 8, date) for k in (KEY, wrong)]
        answers = [dc_post(port, b'{"a": 1}', key=k, date=date).text for k in (KEY, wrong)]
        text = caplog.text + "".join(answers)
        assert KEY not in text
        assert not [s for s in sent if s in text]

    def test_full_spool_answers_503_with_retry_after_and_loses_nothing_acknowledged(
        self, tmp_path: Path, sink: Sink, run_agent: Callable[..., Running]
    ) -> None:
        """With the service down the spool fills: posts then get 503 + Retry-After; every post that got
        200 lands once the service is back, and no record of a 503'd post does."""
        sink.decide = lambda records: httpx.Response(503, json={"error": {"code": "ServiceUnavailable"}})
        port = free_port()
        config = write_config(tmp_path, dc_input(tmp_path, port, "retry_after = 7"))
        text = config.read_text().replace('max_size = "16MiB"', 'max_size = "16KiB"')
        config.write_text(text.replace('segment_size = "1MiB"', 'segment_size = "4KiB"'))
        agent = run_agent(config)
        accepted, refused = [], []
        for i in range(40):
            r = dc_post(port, json.dumps([{"Seq": i, "Pad": "p" * 900}]).encode())
            assert r.status_code in (200, 503), r.text
            (accepted if r.status_code == 200 else refused).append(i)
            if r.status_code == 503:
                assert r.headers["Retry-After"] == "7"
                assert r.json()["Error"] == "ServiceUnavailable"
                if len(refused) == 3:
                    break
        assert accepted and refused
        sink.decide = lambda records: None
        wait_for(lambda: len(sink.records) >= len(accepted), timeout=30, what="the accepted records")
        assert agent.stop() == 0
        assert sorted(sink.values("Seq")) == accepted


class TestHttpInput:
    def post(self, port: int, body: bytes, path: str = "/ingest", **headers: str) -> httpx.Response:
        headers.setdefault("Authorization", f"Bearer {TOKEN}")
        with httpx.Client(trust_env=False, timeout=30) as c:
            return c.post(f"http://127.0.0.1:{port}{path}", content=body, headers=headers)

    def test_ndjson_and_arrays_land_and_bad_records_are_dead_lettered(
        self, tmp_path: Path, sink: Sink, run_agent: Callable[..., Running]
    ) -> None:
        """NDJSON, a JSON array, one object and a gzip body land; a bad line is dead-lettered with its reason."""
        port = free_port()
        agent = run_agent(write_config(tmp_path, http_input(tmp_path, port)))
        r = self.post(port, b'{"Seq": 0}\n{"Seq": 1}\nnot json\n[1]\n')
        assert r.status_code == 200, r.text
        assert r.json() == {"accepted": 2, "dead_lettered": 2}
        assert self.post(port, b'[{"Seq": 2}, {"Seq": 3}, 5]').json() == {"accepted": 2, "dead_lettered": 1}
        assert self.post(port, b'{\n  "Seq": 4\n}\n').json() == {"accepted": 1, "dead_lettered": 0}
        gz = self.post(port, gzip.compress(b'{"Seq": 5}\n'), **{"Content-Encoding": "gzip"})
        assert gz.json() == {"accepted": 1, "dead_lettered": 0}
        wait_for(lambda: len(sink.records) == 6, what="6 records")
        assert agent.stop() == 0
        assert sorted(sink.values("Seq")) == list(range(6))
        assert all(str(v).endswith("Z") for v in sink.values("TimeGenerated"))
        assert len(set(sink.values("AzlogsId"))) == 6
        bad = dead_letters(tmp_path / "state")
        assert [b.get("raw") for b in bad] == ["not json", "[1]", "5"]
        assert all(b["input"] == "hook" and b["reason"] and b["source"].startswith("http ") for b in bad)

    def test_auth_path_size_and_encoding_are_checked(
        self, tmp_path: Path, sink: Sink, run_agent: Callable[..., Running]
    ) -> None:
        """No or a wrong token is 401, another path 404, an oversized body 413, a bad body 400; none spooled."""
        port = free_port()
        agent = run_agent(write_config(tmp_path, http_input(tmp_path, port, 'max_body = "2KiB"')))
        assert self.post(port, b'{"a": 1}', Authorization="Bearer nope").status_code == 401
        assert self.post(port, b'{"a": 1}', Authorization="").status_code == 401
        assert self.post(port, b'{"a": 1}', path="/other").status_code == 404
        assert self.post(port, b"[" + b'{"a": 1},' * 400 + b"{}]").status_code == 413
        assert self.post(port, b'[{"a": 1}').status_code == 400
        assert self.post(port, b"x", **{"Content-Encoding": "br"}).status_code == 415
        assert agent.stop() == 0
        assert sink.records == []

    def test_shared_secret_header(
        self, tmp_path: Path, sink: Sink, run_agent: Callable[..., Running]
    ) -> None:
        """auth = "shared-secret" takes the secret in the configured header only."""
        port = free_port()
        extra = 'auth = "shared-secret"\nsecret_header = "X-Hook-Secret"'
        run_agent(write_config(tmp_path, http_input(tmp_path, port, extra)))
        assert self.post(port, b'{"a": 1}').status_code == 401
        assert self.post(port, b'{"a": 1}', **{"X-Hook-Secret": TOKEN}).status_code == 200
        wait_for(lambda: len(sink.records) == 1, what="1 record")


class TestConfig:
    def test_keys_are_checked_without_showing_them(self, tmp_path: Path) -> None:
        """A key that is not base64 is refused without the key in the message; a missing key is named."""
        port = free_port()
        config = write_config(tmp_path, dc_input(tmp_path, port))
        (tmp_path / "key").write_text("not-base64-secret!\n")
        with pytest.raises(ConfigError) as err:
            load_config(config, env={})
        assert "not base64" in err.value.message and "not-base64-secret" not in err.value.message
        config.write_text(config.read_text().replace('shared_key_file = "key"', 'shared_key_env = "DC_KEY"'))
        with pytest.raises(ConfigError, match="DC_KEY is not set"):
            load_config(config, env={})
        assert load_config(config, env={"DC_KEY": KEY}).inputs[0].secrets == (KEY,)
        assert KEY not in repr(load_config(config, env={"DC_KEY": KEY}))

    def test_the_mapping_file_of_azlogs_migrate(self, tmp_path: Path) -> None:
        """mapping = FILE gives the workspace and each Log-Type's endpoint, DCR and stream."""
        (tmp_path / "map.json").write_text(
            json.dumps(
                {
                    "version": 1,
                    "workspace_id": WORKSPACE,
                    "log_types": {
                        "MyApp": {
                            "table": "MyApp_CL",
                            "endpoint": ENDPOINT,
                            "dcr_immutable_id": "dcr-aaaa",
                            "stream": "Custom-MyApp_CL",
                            "time_generated_field": None,
                        }
                    },
                }
            )
        )
        (tmp_path / "key").write_text(KEY)
        inputs = f'[[inputs]]\nname = "legacy"\ntype = "data-collector"\nlisten = "{free_port()}"\n'
        inputs += 'shared_key_file = "key"\nmapping = "map.json"\n'
        cfg = load_config(write_config(tmp_path, inputs), env={}).inputs[0]
        assert cfg.workspace_id == WORKSPACE
        assert [(r.log_type, r.endpoint, r.dcr, r.stream) for r in cfg.log_types] == [
            ("MyApp", ENDPOINT, "dcr-aaaa", "Custom-MyApp_CL")
        ]
        assert cfg.listen is not None and cfg.listen.host == "127.0.0.1"

    def test_open_listener_only_on_loopback(self, tmp_path: Path) -> None:
        """auth = "none" is refused on an address other than loopback."""
        inputs = '[[inputs]]\nname = "hook"\ntype = "http"\nlisten = "0.0.0.0:9999"\nauth = "none"\n'
        with pytest.raises(ConfigError, match="loopback"):
            load_config(write_config(tmp_path, inputs), env={})

    def test_port_in_use_fails_the_start_naming_it(self, tmp_path: Path, sink: Sink) -> None:
        """A listener whose port is taken stops the agent's start with the address named."""
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            agent = Agent(
                load_config(write_config(tmp_path, http_input(tmp_path, port)), env={}),
                transport=sink.transport(),
                credentials=credentials,
            )
            with pytest.raises(ConfigError, match=f"127.0.0.1:{port}"):
                agent.start()
        assert agent.spool is None


class TestCheck:
    def test_check_names_the_listeners_and_each_log_types_stream(self, tmp_path: Path) -> None:
        """`agent check` shows where each listener listens and which stream each Log-Type goes to."""
        config = write_config(tmp_path, dc_input(tmp_path, 8088) + http_input(tmp_path, 8089))
        result = CliRunner().invoke(main, ["agent", "check", "--config", str(config)])
        assert result.exit_code == 0, result.output
        assert f"Data Collector API on http://127.0.0.1:8088 for workspace {WORKSPACE}" in result.output
        assert "Log-Type MyApp -> Custom-MyApp_CL" in result.output
        assert "POST http://127.0.0.1:8089/ingest (auth bearer)" in result.output
        assert KEY not in result.output and TOKEN not in result.output

    def test_status_shows_where_a_listener_listens_and_its_requests(
        self, tmp_path: Path, run_agent: Callable[..., Running]
    ) -> None:
        """`agent status` shows a listener's address with its requests and refusals."""
        port = free_port()
        agent = run_agent(write_config(tmp_path, dc_input(tmp_path, port)))
        assert dc_post(port, b'{"a": 1}').status_code == 200
        assert dc_post(port, b'{"a": 1}', "My-App").status_code == 400
        assert agent.stop() == 0
        result = CliRunner().invoke(main, ["agent", "status", "--state-dir", str(tmp_path / "state")])
        assert f"http://127.0.0.1:{port} (2 requests, 1 refused)" in result.output
        metrics = prometheus(json.loads((tmp_path / "state" / "status.json").read_text()))
        assert 'azlogs_agent_input_requests_total{input="legacy"} 2' in metrics
        assert 'azlogs_agent_input_refused_total{input="legacy"} 1' in metrics


class TestReload:
    def test_a_log_type_added_on_reload_is_served(
        self, tmp_path: Path, sink: Sink, run_agent: Callable[..., Running]
    ) -> None:
        """A reload that maps another Log-Type restarts the listener on the same port and serves it."""
        port = free_port()
        config = write_config(tmp_path, dc_input(tmp_path, port))
        agent = run_agent(config)
        assert dc_post(port, b'{"a": 1}', "Third").status_code == 400
        config.write_text(
            config.read_text().replace("Other = {", 'Third = { stream = "Custom-Third_CL" }, Other = {')
        )
        agent.agent.request_reload()
        wait_for(lambda: agent.status()["reloads"] == 1, what="the reload")
        wait_for(lambda: "legacy" in agent.status()["inputs"], what="the input back")
        r = dc_post(port, b'{"a": 2}', "Third")
        assert r.status_code == 200, r.text
        wait_for(lambda: sink.values("a") == [2], what="the record")


class TestNoAnswerBeforeDurable:
    @pytest.mark.parametrize(("op", "code"), [("sync", errno.EIO), ("pwrite", errno.ENOSPC)])
    def test_a_failed_fsync_or_full_disk_is_503_never_200(
        self, tmp_path: Path, sink: Sink, run_agent: Callable[..., Running], op: str, code: int
    ) -> None:
        """When the spool append cannot be made durable (fsync fails, disk full) the sender gets 503 with
        Retry-After, not 200, and the records of that post are not delivered; with the disk back, 200."""
        storage = FaultyStorage()
        port = free_port()
        agent = run_agent(write_config(tmp_path, dc_input(tmp_path, port)), storage=storage)
        storage.fail(op, code, times=10**9)  # type: ignore[arg-type]  # every write (or fsync) fails
        r = dc_post(port, b'[{"Seq": 1}]')
        assert r.status_code == 503, r.text
        assert r.headers["Retry-After"] == "5"
        storage.clear()
        assert dc_post(port, b'[{"Seq": 2}]').status_code == 200
        wait_for(lambda: sink.values("Seq") == [2], what="the second post's record")
        assert agent.stop() == 0
        assert sink.values("Seq") == [2]


class TestResourceIdAndWarnings:
    def test_resource_id_goes_to_the_configured_column(
        self, tmp_path: Path, sink: Sink, run_agent: Callable[..., Running]
    ) -> None:
        """With resource_id_field, x-ms-AzureResourceId is copied into that column of every record."""
        port = free_port()
        run_agent(write_config(tmp_path, dc_input(tmp_path, port, 'resource_id_field = "ResourceId"')))
        rid = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/app1"
        assert dc_post(port, b'[{"a": 1}, {"a": 2}]', extra={"x-ms-AzureResourceId": rid}).status_code == 200
        assert dc_post(port, b'{"a": 3}').status_code == 200
        wait_for(lambda: len(sink.records) == 3, what="3 records")
        assert sorted(sink.records, key=lambda r: int(r["a"])) == [
            {"a": 1, "ResourceId": rid},
            {"a": 2, "ResourceId": rid},
            {"a": 3},
        ]

    def test_a_listener_off_loopback_without_tls_is_in_the_clear(self) -> None:
        """Off loopback and without TLS a listener is warned about; on loopback or with TLS it is not."""
        assert in_the_clear(Listen(host="10.0.0.5"))
        assert in_the_clear(Listen(host="0.0.0.0"))
        assert not in_the_clear(Listen(host="127.0.0.1"))
        assert not in_the_clear(Listen(host="::1"))
        assert not in_the_clear(Listen(host="10.0.0.5", tls_cert="c.pem", tls_key="k.pem"))


class TestListener:
    def test_a_busy_listener_answers_503_with_retry_after_the_sender_can_read(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """With max_requests bodies in hand, another post gets 503 + Retry-After after a short wait, and
        the post in hand still gets its answer."""
        # The wait for a slot, shortened: the 503 comes when it ends, whatever its length (5 s in the agent).
        monkeypatch.setattr(_listen, "SLOT_WAIT_SECONDS", 0.5)
        entered, gate, stop = threading.Event(), threading.Event(), threading.Event()

        def handle(request: Incoming) -> Answer:
            request.read(1 << 20)
            entered.set()
            gate.wait(30)
            return Answer(200, b"{}")

        listener = Listener(Listen(port=0, max_requests=1, retry_after=3), handle, "t")
        server = threading.Thread(target=listener.serve, args=(stop.is_set,), daemon=True)
        server.start()
        url = f"http://127.0.0.1:{listener.port}/"
        first: list[int] = []
        with httpx.Client(trust_env=False, timeout=30) as c1, httpx.Client(trust_env=False, timeout=30) as c2:
            held = threading.Thread(target=lambda: first.append(c1.post(url, content=b"x").status_code))
            held.start()
            assert entered.wait(10)
            busy = c2.post(url, content=b"y" * 200_000)
            gate.set()
            held.join(10)
        stop.set()
        server.join(10)
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "3"
        assert first == [200]
