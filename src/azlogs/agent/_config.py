"""The agent's TOML configuration: parsed once into frozen dataclasses, every mistake named.

::

    [agent]
    state_dir = "/var/lib/azlogs/agent"   # spool, checkpoints, dead letters, status.json
    drain_timeout = 30                    # seconds SIGTERM spends sending what is spooled
    http_port = 9464                      # optional: /status and /metrics on 127.0.0.1

    [spool]
    max_size = "2GiB"                     # inputs block when it is full; nothing is dropped
    fsync = "batch"

    [defaults]                            # any input key, inherited by every input
    endpoint = "https://my-dce.eastus-1.ingest.monitor.azure.com"
    dcr = "dcr-00000000000000000000000000000000"
    cloud = "AzurePublic"                 # optional: AzureUSGovernment, AzureChinaCloud, a cloud file;
                                          # default AZURE_CLOUD, else the endpoint's host
    fields = { Computer = "${HOSTNAME}" }
    id_column = "AzlogsId"

    [[inputs]]
    name = "app"
    paths = ["/var/log/app/app.log*"]
    exclude = ["*.gz"]
    parser = "json"
    stream = "Custom-App"

Unknown keys are errors (a typo must not silently turn a feature off). ``${NAME}`` in endpoint,
dcr, stream, client_id, paths, state_dir and field values is replaced from the environment
(``HOSTNAME`` falls back to the host's name). Relative paths are relative to the config file.
"""

from __future__ import annotations

import os
import re
import socket
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from azlogs._exceptions import ConfigError, UsageError
from azlogs._http import check_endpoint
from azlogs.agent._mapping import LogTypeRoute, read_mapping
from azlogs.auth import SOURCES
from azlogs.auth.clouds import resolve_cloud
from azlogs.facts import DATA_COLLECTOR_BODY_MAX
from azlogs.schema import datacollector as dc

ParserKind = Literal["json", "csv", "text", "regex"]
PARSERS = ("json", "csv", "text", "regex")
InputKind = Literal["file", "stdin", "http", "data-collector", "otlp", "syslog", "cef"]
INPUT_KINDS = ("file", "stdin", "http", "data-collector", "otlp", "syslog", "cef")
LISTENERS = ("http", "data-collector", "otlp")
SYSLOG_KINDS = ("syslog", "cef")
HttpAuth = Literal["bearer", "shared-secret", "none"]
FsyncPolicy = Literal["batch", "always", "never"]
FullPolicy = Literal["block", "error"]
FieldValue = str | int | float | bool

MiB = 1024 * 1024
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_COLUMN = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,44}$")
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]?i?B?)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "kib": 1024, "ki": 1024}
for _i, _p in enumerate("mgt", start=2):
    _UNITS[_p] = _UNITS[f"{_p}b"] = 1000**_i
    _UNITS[f"{_p}ib"] = _UNITS[f"{_p}i"] = 1024**_i


@dataclass(frozen=True)
class Listen:
    """An HTTP listener: address, optional TLS (the user's certificate and key files), limits.

    Attributes:
        host: the address to bind; 127.0.0.1 by default.
        port: the TCP port (0: any free port, shown in the status).
        tls_cert: PEM certificate (chain) file; with ``tls_key``, the listener speaks HTTPS only.
        tls_key: PEM private key file.
        max_body: the largest request body read (the Data Collector API's 30 MB at most).
        max_requests: request bodies held in memory at once; more wait, then get 503.
        retry_after: seconds in the ``Retry-After`` of a 503 (spool full, too busy, stopping).
    """

    host: str = "127.0.0.1"
    port: int = 0
    tls_cert: str | None = None
    tls_key: str | None = None
    max_body: int = DATA_COLLECTOR_BODY_MAX
    max_requests: int = 4
    retry_after: int = 5

    @property
    def scheme(self) -> str:
        return "https" if self.tls_cert else "http"


@dataclass(frozen=True)
class SyslogListen:
    """The socket of a syslog or cef input.

    Attributes:
        protocol: ``udp`` (one message a datagram), ``tcp`` (RFC 6587 octet counting or LF framing) or
            ``tls`` (the same over TLS, RFC 5425, with the user's certificate and key files).
        host, port: where to bind (port 0: any free port, shown in the status).
        timezone: the zone of RFC 3164 timestamps, which carry none (an IANA name or ``UTC``).
        max_connections: TCP/TLS connections served at once; more wait in the listen backlog.
    """

    protocol: Literal["udp", "tcp", "tls"] = "udp"
    host: str = "127.0.0.1"
    port: int = 0
    tls_cert: str | None = None
    tls_key: str | None = None
    timezone: str = "UTC"
    max_connections: int = 64


@dataclass(frozen=True)
class InputConfig:
    """One input: where lines come from, how they become records, and where they go.

    ``route`` fields (endpoint, dcr, stream, source, client_id) pick the DCR stream and the identity.
    """

    name: str
    type: InputKind
    endpoint: str
    dcr: str
    stream: str
    parser: ParserKind = "json"
    paths: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    start_at: Literal["beginning", "end"] = "beginning"
    pattern: str | None = None
    csv_columns: tuple[str, ...] | None = None
    csv_delimiter: str = ","
    fields: tuple[tuple[str, FieldValue], ...] = ()
    id_column: str | None = None
    time_generated: Literal["add", "keep"] = "add"
    path_field: str | None = None
    source: str = "auto"
    client_id: str | None = None
    cloud: str | None = None
    poll_interval: float = 0.25
    glob_interval: float = 2.0
    rotate_wait: float = 5.0
    read_bytes: int = MiB
    max_line_bytes: int = MiB
    follow_symlinks: bool = False
    """Read a matched path that is a symlink (its target, as ``tail -F``); by default it is skipped."""
    listen: Listen | None = None
    """http and data-collector inputs: where the listener binds, its TLS files and its limits."""
    http_path: str = "/"
    """http input: the path records are POSTed to."""
    auth: HttpAuth = "bearer"
    secret_header: str = "X-Api-Key"
    secrets: tuple[str, ...] = field(default=(), repr=False)
    """The bearer tokens or shared secrets (http) or workspace keys (data-collector); never shown."""
    workspace_id: str | None = None
    log_types: tuple[LogTypeRoute, ...] = ()
    """data-collector input: each Log-Type's DCR stream (from the mapping file and the config)."""
    resource_id_field: str | None = None
    syslog: SyslogListen | None = None
    """syslog and cef inputs: the socket messages arrive on, its protocol and limits."""

    @property
    def listener(self) -> bool:
        """Whether the input is an HTTP listener (http, data-collector)."""
        return self.type in LISTENERS

    @property
    def route(self) -> tuple[str, str, str, str, str]:
        """What decides where records go: endpoint, DCR, stream, identity source, client id."""
        return (self.endpoint, self.dcr, self.stream, self.source, self.client_id or "")


@dataclass(frozen=True)
class SpoolConfig:
    """The durable queue (see :mod:`azlogs.spool`)."""

    max_bytes: int = 2 * 1024 * MiB
    segment_bytes: int = 8 * MiB
    fsync: FsyncPolicy = "batch"
    when_full: FullPolicy = "block"
    block_timeout: float = 30.0


@dataclass(frozen=True)
class SenderConfig:
    """How spooled records are sent."""

    workers: int = 4
    batch_records: int = 5000
    batch_bytes: int = 1_000_000
    upload_timeout: float = 30.0
    backoff_initial: float = 1.0
    backoff_max: float = 30.0
    bisect_budget: int = 32


@dataclass(frozen=True)
class AgentConfig:
    """The whole configuration, as read from one file."""

    path: Path
    state_dir: Path
    inputs: tuple[InputConfig, ...]
    spool: SpoolConfig = field(default_factory=SpoolConfig)
    sender: SenderConfig = field(default_factory=SenderConfig)
    drain_timeout: float = 30.0
    status_interval: float = 1.0
    http_port: int | None = None
    log_format: Literal["json", "text"] = "json"
    log_level: str = "info"

    def input(self, name: str) -> InputConfig:
        """The input called ``name``."""
        return next(i for i in self.inputs if i.name == name)


_AGENT_KEYS = {"state_dir", "drain_timeout", "status_interval", "http_port", "log_format", "log_level"}
_SPOOL_KEYS = {"max_size", "segment_size", "fsync", "when_full", "block_timeout"}
_SENDER_KEYS = {
    "workers",
    "batch_records",
    "batch_bytes",
    "upload_timeout",
    "backoff_initial",
    "backoff_max",
    "bisect_budget",
}
_INPUT_KEYS = {
    "name",
    "type",
    "endpoint",
    "dcr",
    "stream",
    "parser",
    "paths",
    "exclude",
    "start_at",
    "pattern",
    "csv_columns",
    "csv_delimiter",
    "fields",
    "id_column",
    "time_generated",
    "path_field",
    "source",
    "client_id",
    "cloud",
    "poll_interval",
    "glob_interval",
    "rotate_wait",
    "read_bytes",
    "max_line_bytes",
    "follow_symlinks",
}
_LISTEN_KEYS = {"listen", "tls_cert", "tls_key", "max_body", "max_requests", "retry_after"}
_HTTP_KEYS = {"path", "auth", "secret_header", "secret_file", "secret_env"}
_DC_KEYS = {"workspace_id", "shared_key_file", "shared_key_env", "mapping", "log_types", "resource_id_field"}
_LISTENER_ONLY = _LISTEN_KEYS | _HTTP_KEYS | _DC_KEYS
_SYSLOG_KEYS = {"protocol", "timezone", "max_connections"}
_SYSLOG_SHARED = {"listen", "tls_cert", "tls_key"}  # with the http listeners
_DEFAULT_KEYS = _INPUT_KEYS - {"name", "paths", "exclude", "type", "pattern", "csv_columns"}
_INPUT_KEYS = _INPUT_KEYS | _LISTENER_ONLY | _SYSLOG_KEYS


def parse_size(value: Any, what: str) -> int:
    """Bytes from an int or a text like ``"512MiB"``, ``"2GB"``, ``"64k"``."""
    if isinstance(value, bool):
        raise ConfigError(f"{what}: expected a size like 512MiB, not {value!r}")
    if isinstance(value, int):
        if value < 0:
            raise ConfigError(f"{what}: a size cannot be negative ({value})")
        return value
    if isinstance(value, str):
        m = _SIZE.match(value)
        if m:
            unit = (m.group(2) or "").lower()
            if unit in _UNITS:
                return int(float(m.group(1)) * _UNITS[unit])
    raise ConfigError(f"{what}: expected a size like 512MiB, 2GB or a number of bytes, not {value!r}")


def _expand(text: str, what: str, env: Mapping[str, str]) -> str:
    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name in env:
            return env[name]
        if name == "HOSTNAME":
            return socket.gethostname()
        raise ConfigError(f"{what}: ${{{name}}} is not set in the environment")

    return _VAR.sub(sub, text)


class _Table:
    """A TOML table being read: typed getters that name the key in every error."""

    def __init__(self, data: Any, where: str, allowed: set[str]) -> None:
        if not isinstance(data, dict):
            raise ConfigError(f"{where}: expected a table, not {type(data).__name__}")
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise ConfigError(
                f"{where}: unknown key{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}",
                hint=f"the keys of {where} are: {', '.join(sorted(allowed))}",
            )
        self.data: dict[str, Any] = data
        self.where = where

    def name(self, key: str) -> str:
        return f"{self.where}.{key}"

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def str_(self, key: str, default: str | None = None) -> str | None:
        value = self.data.get(key, default)
        if value is not None and not isinstance(value, str):
            raise ConfigError(f"{self.name(key)}: expected a string, not {value!r}")
        return value

    def number(self, key: str, default: float, *, low: float = 0.0, high: float = 1e9) -> float:
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{self.name(key)}: expected a number of seconds, not {value!r}")
        if not low <= value <= high:
            raise ConfigError(f"{self.name(key)}: {value} is outside {low:g} .. {high:g}")
        return float(value)

    def flag(self, key: str, default: bool) -> bool:
        value = self.get(key, default)
        if not isinstance(value, bool):
            raise ConfigError(f"{self.name(key)}: expected true or false, not {value!r}")
        return value

    def integer(self, key: str, default: int, *, low: int = 0, high: int = 2**31) -> int:
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{self.name(key)}: expected an integer, not {value!r}")
        if not low <= value <= high:
            raise ConfigError(f"{self.name(key)}: {value} is outside {low} .. {high}")
        return value

    def choice(self, key: str, default: str, choices: tuple[str, ...]) -> str:
        value = self.data.get(key, default)
        if value not in choices:
            raise ConfigError(f"{self.name(key)}: {value!r} is not one of {', '.join(choices)}")
        return str(value)

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{self.name(key)}: expected a list of strings, not {value!r}")
        return tuple(value)


def load_config(path: str | os.PathLike[str], env: Mapping[str, str] | None = None) -> AgentConfig:
    """Read and check the agent's TOML file.

    Raises:
        ConfigError: the file cannot be read, is not TOML, or a value is wrong (the key is named).
    """
    file = Path(path).expanduser().absolute()
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the agent config {file}: {exc.strerror or exc}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from exc
    try:
        return parse_config(data, file, os.environ if env is None else env)
    except ConfigError as exc:
        exc.message = f"{file}: {exc.message}"
        exc.args = (exc.message,)
        raise


def parse_config(data: dict[str, Any], file: Path, env: Mapping[str, str]) -> AgentConfig:
    """Build the config from already-parsed TOML (``file`` anchors relative paths)."""
    top = _Table(data, "config", {"agent", "spool", "sender", "defaults", "inputs"})
    base = file.parent
    agent = _Table(top.get("agent", {}), "[agent]", _AGENT_KEYS)
    state = agent.str_("state_dir")
    state_dir = _path(_expand(state, "[agent].state_dir", env), base) if state else _default_state_dir(env)
    port = agent.get("http_port")
    if port is not None:
        port = agent.integer("http_port", 0, low=0, high=65535) or None
    raw_inputs = top.get("inputs", [])
    if not isinstance(raw_inputs, list) or not raw_inputs:
        raise ConfigError(
            "no [[inputs]]: the agent needs at least one input",
            hint='add [[inputs]] with name, paths (or type = "stdin"), stream, endpoint and dcr',
        )
    defaults = _Table(top.get("defaults", {}), "[defaults]", _DEFAULT_KEYS)
    inputs = tuple(_input(raw, i, defaults.data, base, env) for i, raw in enumerate(raw_inputs))
    names = [i.name for i in inputs]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ConfigError(f"[[inputs]]: the name {dup[0]!r} is used twice; input names must be unique")
    if sum(1 for i in inputs if i.type == "stdin") > 1:
        raise ConfigError("[[inputs]]: only one input can read stdin")
    return AgentConfig(
        path=file,
        state_dir=state_dir,
        inputs=inputs,
        spool=_spool(_Table(top.get("spool", {}), "[spool]", _SPOOL_KEYS)),
        sender=_sender(_Table(top.get("sender", {}), "[sender]", _SENDER_KEYS)),
        drain_timeout=agent.number("drain_timeout", 30.0, high=86400),
        status_interval=agent.number("status_interval", 1.0, low=0.05, high=3600),
        http_port=port,
        log_format=agent.choice("log_format", "json", ("json", "text")),  # type: ignore[arg-type]
        log_level=agent.choice("log_level", "info", ("debug", "info", "warning", "error")),
    )


def _default_state_dir(env: Mapping[str, str]) -> Path:
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return Path("/var/lib/azlogs/agent")
    xdg = env.get("XDG_STATE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".local" / "state") / "azlogs" / "agent"


def _path(text: str, base: Path) -> Path:
    p = Path(text).expanduser()
    return p if p.is_absolute() else base / p


def _spool(t: _Table) -> SpoolConfig:
    max_bytes = parse_size(t.get("max_size", 2 * 1024 * MiB), t.name("max_size"))
    segment = parse_size(t.get("segment_size", 8 * MiB), t.name("segment_size"))
    if not 4096 <= segment <= 1 << 31:
        raise ConfigError(f"{t.name('segment_size')}: must be between 4KiB and 2GiB")
    if max_bytes < segment:
        raise ConfigError(
            f"{t.name('max_size')}: {max_bytes:,} bytes is smaller than segment_size ({segment:,} bytes)"
        )
    return SpoolConfig(
        max_bytes=max_bytes,
        segment_bytes=segment,
        fsync=t.choice("fsync", "batch", ("batch", "always", "never")),  # type: ignore[arg-type]
        when_full=t.choice("when_full", "block", ("block", "error")),  # type: ignore[arg-type]
        block_timeout=t.number("block_timeout", 30.0, low=0.1, high=86400),
    )


def _sender(t: _Table) -> SenderConfig:
    batch_bytes = parse_size(t.get("batch_bytes", 1_000_000), t.name("batch_bytes"))
    if not 1024 <= batch_bytes <= 1_000_000:
        raise ConfigError(f"{t.name('batch_bytes')}: must be between 1KiB and 1000000 (the API's 1 MB)")
    initial = t.number("backoff_initial", 1.0, low=0.01, high=3600)
    return SenderConfig(
        workers=t.integer("workers", 4, low=1, high=64),
        batch_records=t.integer("batch_records", 5000, low=1, high=50_000),
        batch_bytes=batch_bytes,
        upload_timeout=t.number("upload_timeout", 30.0, low=1, high=3600),
        backoff_initial=initial,
        backoff_max=t.number("backoff_max", 30.0, low=initial, high=3600),
        bisect_budget=t.integer("bisect_budget", 32, low=0, high=10_000),
    )


def _input(raw: Any, index: int, defaults: dict[str, Any], base: Path, env: Mapping[str, str]) -> InputConfig:
    where = f"[[inputs]] #{index + 1}"
    if isinstance(raw, dict) and isinstance(raw.get("name"), str):
        where = f"[[inputs]] {raw['name']!r}"
    merged = {**defaults, **raw} if isinstance(raw, dict) else raw
    if (
        isinstance(raw, dict)
        and isinstance(defaults.get("fields"), dict)
        and isinstance(raw.get("fields"), dict)
    ):
        merged["fields"] = {**defaults["fields"], **raw["fields"]}
    t = _Table(merged, where, _INPUT_KEYS)
    name = t.str_("name")
    if not name or not _NAME.match(name):
        raise ConfigError(
            f"{t.name('name')}: {name!r} is not a valid input name",
            hint="1-64 letters, digits, '_', '.', '-', starting with a letter or digit",
        )
    kind = t.choice("type", "stdin" if "paths" not in merged else "file", INPUT_KINDS)
    paths = tuple(str(_path(_expand(p, t.name("paths"), env), base)) for p in t.strings("paths"))
    if kind == "file" and not paths:
        raise ConfigError(f"{t.name('paths')}: a file input needs at least one path or glob")
    if kind != "file" and paths:
        raise ConfigError(f"{where}: a {kind} input takes no paths")
    if kind in SYSLOG_KINDS:
        extra = sorted(k for k in _LISTENER_ONLY - _SYSLOG_SHARED if k in raw)
        if extra:
            raise ConfigError(f"{where}: {', '.join(extra)} only apply to http and data-collector inputs")
    elif kind not in LISTENERS:
        extra = sorted(k for k in _LISTENER_ONLY if k in raw)
        if extra:
            raise ConfigError(f"{where}: {', '.join(extra)} only apply to http and data-collector inputs")
    if kind not in SYSLOG_KINDS and (extra := sorted(k for k in _SYSLOG_KEYS if k in raw)):
        raise ConfigError(f"{where}: {', '.join(extra)} only apply to syslog and cef inputs")
    route = {}
    for key in ("endpoint", "dcr", "stream"):
        value = t.str_(key)
        if not value:
            if kind == "data-collector":  # each Log-Type has its own; these are only defaults for them
                route[key] = ""
                continue
            raise ConfigError(
                f"{t.name(key)} is missing",
                hint=f"set {key} in the input or in [defaults]",
            )
        route[key] = _expand(value, t.name(key), env).strip()
    if route["endpoint"]:
        _check_endpoint(route["endpoint"], t.name("endpoint"))
    listener: dict[str, Any] = {}
    if kind in LISTENERS:
        listener = _listener(t, kind, route, base, env)
    elif kind in SYSLOG_KINDS:
        listener = {"syslog": _syslog_listen(t, base, env)}
    cloud = t.str_("cloud")
    if cloud is not None:
        try:
            resolve_cloud(cloud, endpoint=route["endpoint"] or None, env={})
        except UsageError as exc:
            raise ConfigError(f"{t.name('cloud')}: {exc.message}", hint=exc.hint) from None
    parser = t.choice("parser", "json", PARSERS)
    pattern = t.str_("pattern")
    if parser == "regex":
        if not pattern:
            raise ConfigError(f"{t.name('pattern')}: parser = 'regex' needs a pattern with named groups")
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            raise ConfigError(f"{t.name('pattern')}: not a valid regular expression: {exc}") from exc
        if not compiled.groupindex:
            raise ConfigError(
                f"{t.name('pattern')}: the pattern has no named groups",
                hint="name each column: (?P<Level>\\w+)",
            )
    elif pattern is not None:
        raise ConfigError(f"{t.name('pattern')}: only parser = 'regex' takes a pattern")
    fields_raw = t.get("fields", {})
    if not isinstance(fields_raw, dict):
        raise ConfigError(f'{t.name("fields")}: expected a table like {{ Computer = "web-01" }}')
    fields: list[tuple[str, FieldValue]] = []
    for key, value in fields_raw.items():
        _column(key, t.name("fields"))
        if not isinstance(value, (str, int, float, bool)):
            raise ConfigError(f"{t.name('fields')}.{key}: expected a string, number or boolean")
        fields.append(
            (key, _expand(value, f"{t.name('fields')}.{key}", env) if isinstance(value, str) else value)
        )
    id_column = t.str_("id_column")
    if id_column is not None:
        _column(id_column, t.name("id_column"))
    path_field = t.str_("path_field")
    if path_field is not None:
        _column(path_field, t.name("path_field"))
    csv_columns = t.get("csv_columns")
    if csv_columns is not None:
        csv_columns = t.strings("csv_columns")
        for col in csv_columns:
            _column(col, t.name("csv_columns"))
    delimiter = t.str_("csv_delimiter", ",") or ","
    if len(delimiter) != 1:
        raise ConfigError(f"{t.name('csv_delimiter')}: one character, not {delimiter!r}")
    source = t.choice("source", "auto", ("auto", *SOURCES))
    client_id = t.str_("client_id")
    read_bytes = parse_size(t.get("read_bytes", MiB), t.name("read_bytes"))
    max_line = parse_size(t.get("max_line_bytes", MiB), t.name("max_line_bytes"))
    if not 4096 <= max_line <= read_bytes <= 64 * MiB:
        raise ConfigError(
            f"{where}: need 4KiB <= max_line_bytes ({max_line:,}) <= read_bytes ({read_bytes:,}) <= 64MiB"
        )
    return InputConfig(
        name=name,
        type=kind,  # type: ignore[arg-type]
        endpoint=route["endpoint"],
        dcr=route["dcr"],
        stream=route["stream"],
        parser=parser,  # type: ignore[arg-type]
        paths=paths,
        exclude=t.strings("exclude"),
        start_at=t.choice("start_at", "beginning", ("beginning", "end")),  # type: ignore[arg-type]
        pattern=pattern,
        csv_columns=csv_columns,
        csv_delimiter=delimiter,
        fields=tuple(fields),
        id_column=id_column,
        time_generated=t.choice("time_generated", "add", ("add", "keep")),  # type: ignore[arg-type]
        path_field=path_field,
        source=source,
        client_id=_expand(client_id, t.name("client_id"), env) if client_id else None,
        cloud=cloud,
        poll_interval=t.number("poll_interval", 0.25, low=0.01, high=60),
        glob_interval=t.number("glob_interval", 2.0, low=0.01, high=3600),
        rotate_wait=t.number("rotate_wait", 5.0, low=0, high=3600),
        read_bytes=read_bytes,
        max_line_bytes=max_line,
        follow_symlinks=t.flag("follow_symlinks", False),
        **listener,
    )


def _check_endpoint(endpoint: str, where: str) -> None:
    try:
        # The client's own rule (https; plain http to loopback only), so the config accepts what sends.
        check_endpoint(endpoint)
    except UsageError as exc:
        raise ConfigError(f"{where}: {exc.message}", hint=exc.hint) from None


def _listen_address(text: str, where: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep:
        host, port = "127.0.0.1", text
    host = host.strip("[]") or "127.0.0.1"
    if not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ConfigError(f"{where}: {text!r} is not HOST:PORT", hint='e.g. listen = "127.0.0.1:8088"')
    return host, int(port)


def loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (or ``localhost``)."""
    return host in ("localhost", "::1") or host.startswith("127.")


def _secrets(t: _Table, file_key: str, env_key: str, env: Mapping[str, str], base: Path) -> tuple[str, ...]:
    """Secrets from a file (one a line; ``#`` comments) and/or an environment variable; never echoed."""
    out: list[str] = []
    file = t.str_(file_key)
    if file:
        path = _path(_expand(file, t.name(file_key), env), base)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{t.name(file_key)}: cannot read {path}: {exc.strerror or exc}") from None
        out.extend(s for s in (line.strip() for line in text.splitlines()) if s and not s.startswith("#"))
        if not out:
            raise ConfigError(f"{t.name(file_key)}: {path} holds no secret")
    name = t.str_(env_key)
    if name:
        value = env.get(name, "").strip()
        if not value:
            raise ConfigError(f"{t.name(env_key)}: the environment variable {name} is not set")
        out.append(value)
    return tuple(out)


def _listener(
    t: _Table, kind: str, route: dict[str, str], base: Path, env: Mapping[str, str]
) -> dict[str, Any]:
    """The keyword arguments of InputConfig for an http or data-collector input."""
    where = t.where
    address = t.str_("listen")
    if not address:
        raise ConfigError(f"{t.name('listen')} is missing", hint='e.g. listen = "127.0.0.1:8088"')
    host, port = _listen_address(address, t.name("listen"))
    cert, key = t.str_("tls_cert"), t.str_("tls_key")
    if bool(cert) != bool(key):
        raise ConfigError(f"{where}: TLS needs both tls_cert and tls_key")
    files = _tls_files(t, base, env)
    max_body = parse_size(t.get("max_body", DATA_COLLECTOR_BODY_MAX), t.name("max_body"))
    if not 1024 <= max_body <= DATA_COLLECTOR_BODY_MAX:
        raise ConfigError(
            f"{t.name('max_body')}: must be between 1KiB and 30MiB (the Data Collector API's limit)"
        )
    listen = Listen(
        host=host,
        port=port,
        tls_cert=files[0] if files else None,
        tls_key=files[1] if files else None,
        max_body=max_body,
        max_requests=t.integer("max_requests", 4, low=1, high=256),
        retry_after=t.integer("retry_after", 5, low=1, high=3600),
    )
    out: dict[str, Any] = {"listen": listen}
    if kind in ("http", "otlp"):
        for k in _DC_KEYS:
            if k in t.data:
                raise ConfigError(f"{t.name(k)}: only a data-collector input takes it")
        default_path = "/v1/logs" if kind == "otlp" else "/"  # OTLP/HTTP's logs path
        path = t.str_("path", default_path) or default_path
        if not path.startswith("/"):
            raise ConfigError(f"{t.name('path')}: {path!r} must start with /")
        auth = t.choice("auth", "bearer", ("bearer", "shared-secret", "none"))
        secrets = _secrets(t, "secret_file", "secret_env", env, base)
        if auth == "none":
            if secrets:
                raise ConfigError(f"{where}: auth = 'none' takes no secret_file or secret_env")
            if not loopback(host):
                raise ConfigError(
                    f"{where}: auth = 'none' is only allowed on a loopback address, not {host}",
                    hint="set auth = 'bearer' with secret_file, or listen on 127.0.0.1",
                )
        elif not secrets:
            raise ConfigError(
                f"{where}: auth = {auth!r} needs secret_file or secret_env",
                hint="a file with the token (mode 0600), or the name of an environment variable holding it",
            )
        header = t.str_("secret_header", "X-Api-Key") or "X-Api-Key"
        out.update(http_path=path, auth=auth, secrets=secrets, secret_header=header)
        return out
    for k in _HTTP_KEYS:
        if k in t.data:
            raise ConfigError(f"{t.name(k)}: only an http input takes it")
    keys = _secrets(t, "shared_key_file", "shared_key_env", env, base)
    if not keys:
        raise ConfigError(
            f"{where}: a data-collector input needs shared_key_file or shared_key_env",
            hint="the workspace key your legacy senders sign with (primary and/or secondary, one a line)",
        )
    for i, k in enumerate(keys):
        try:
            dc.signature(k, 0, "")
        except ValueError:
            raise ConfigError(f"{where}: shared key #{i + 1} is not base64 (a workspace key is)") from None
    workspace_id, routes = None, {}
    mapping = t.str_("mapping")
    if mapping:
        doc = read_mapping(_path(_expand(mapping, t.name("mapping"), env), base))
        workspace_id, routes = doc.workspace_id, dict(doc.log_types)
    inline = t.get("log_types", {})
    if not isinstance(inline, dict):
        raise ConfigError(
            f'{t.name("log_types")}: expected a table like {{ MyApp = {{ stream = "Custom-MyApp_CL" }} }}'
        )
    for log_type, value in inline.items():
        lt_where = f"{t.name('log_types')}.{log_type}"
        problem = dc.log_type_problem(log_type)
        if problem is not None:
            raise ConfigError(f"{lt_where}: {problem}")
        lt = _Table(value, lt_where, {"endpoint", "dcr", "stream"})
        parts = {}
        for k in ("endpoint", "dcr", "stream"):
            v = lt.str_(k) or route[k]
            if not v:
                raise ConfigError(
                    f"{lt.name(k)} is missing", hint=f"set {k} here, in the input or in [defaults]"
                )
            parts[k] = _expand(v, lt.name(k), env).strip()
        _check_endpoint(parts["endpoint"], lt.name("endpoint"))
        routes[log_type] = LogTypeRoute(log_type, parts["endpoint"], parts["dcr"], parts["stream"])
    ws = t.str_("workspace_id")
    if ws:
        ws = _expand(ws, t.name("workspace_id"), env).strip()
        if workspace_id and workspace_id.lower() != ws.lower():
            raise ConfigError(
                f"{t.name('workspace_id')}: {ws} is not the mapping file's workspace {workspace_id}"
            )
        workspace_id = ws
    if not workspace_id:
        raise ConfigError(
            f"{t.name('workspace_id')} is missing",
            hint="the workspace id (customer id) legacy senders sign with; or set mapping to azlogs migrate's file",
        )
    if not routes:
        raise ConfigError(
            f"{where}: no Log-Type is mapped to a stream",
            hint="set mapping = FILE (written by azlogs migrate --output FILE) or log_types = { ... }",
        )
    rid = t.str_("resource_id_field")
    if rid is not None:
        _column(rid, t.name("resource_id_field"))
    out.update(
        secrets=keys,
        workspace_id=workspace_id,
        log_types=tuple(routes[k] for k in sorted(routes)),
        resource_id_field=rid,
    )
    return out


def _column(name: Any, where: str) -> None:
    if not isinstance(name, str) or not _COLUMN.match(name):
        raise ConfigError(
            f"{where}: {name!r} is not a valid column name",
            hint="a letter, then up to 44 letters, digits or '_' (the Log Analytics rule)",
        )


def _syslog_listen(t: _Table, base: Path, env: Mapping[str, str]) -> SyslogListen:
    """The socket of a syslog or cef input (``listen``, ``protocol``, TLS files, ``timezone``)."""
    address = t.str_("listen")
    if not address:
        raise ConfigError(f"{t.name('listen')} is missing", hint='e.g. listen = "127.0.0.1:5514"')
    host, port = _listen_address(address, t.name("listen"))
    protocol = t.choice("protocol", "udp", ("udp", "tcp", "tls"))
    cert, key = t.str_("tls_cert"), t.str_("tls_key")
    if protocol == "tls" and not (cert and key):
        raise ConfigError(f"{t.where}: protocol = 'tls' needs tls_cert and tls_key (PEM files)")
    if protocol != "tls" and (cert or key):
        raise ConfigError(f"{t.where}: tls_cert and tls_key need protocol = 'tls'")
    files = _tls_files(t, base, env)
    zone = t.str_("timezone", "UTC") or "UTC"
    if zone != "UTC":
        try:
            import zoneinfo

            zoneinfo.ZoneInfo(zone)
        except (ValueError, zoneinfo.ZoneInfoNotFoundError):
            raise ConfigError(
                f"{t.name('timezone')}: {zone!r} is not a time zone name (e.g. Europe/Paris)"
            ) from None
    return SyslogListen(
        protocol=protocol,  # type: ignore[arg-type]
        host=host,
        port=port,
        tls_cert=files[0] if files else None,
        tls_key=files[1] if files else None,
        timezone=zone,
        max_connections=t.integer("max_connections", 64, low=1, high=4096),
    )


def _tls_files(t: _Table, base: Path, env: Mapping[str, str]) -> list[str]:
    """The paths of ``tls_cert`` and ``tls_key`` that are set, each checked to be a file."""
    files: list[str] = []
    for k in ("tls_cert", "tls_key"):
        value = t.str_(k)
        if value:
            p = _path(_expand(value, t.name(k), env), base)
            if not p.is_file():
                raise ConfigError(f"{t.name(k)}: {p} is not a file")
            files.append(str(p))
    return files
