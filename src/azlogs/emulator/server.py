"""The emulator process: two listeners in one event loop, the discovery file, clean shutdown.

The HTTP listener serves the host-local identity endpoints (IMDS, Arc HIMDS, App Service,
Automation: plain HTTP on the host in Azure too). The HTTPS listener, with a certificate from the
emulator's own CA, serves everything else: the Entra authority, ARM, ingestion and query.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from azlogs._exceptions import ConfigError, EmulatorError, UsageError
from azlogs.auth.clouds import get_cloud
from azlogs.discovery import (
    DISCOVERY_NAME,
    Discovery,
    DiscoveryAdmin,
    DiscoveryEndpoints,
    DiscoveryWorkspace,
    default_data_dir,
)
from azlogs.emulator import ingestion, portal
from azlogs.emulator.config import (
    DATA_COLLECTOR_API_MODES,
    Settings,
    apply_config,
    load_config_file,
    load_or_create_tenant,
)
from azlogs.emulator.connections import (
    ConnectionLimits,
    GuardedServer,
    effective_max_connections,
    guarded_protocol,
)
from azlogs.emulator.context import ARC_KEY_DIR, Context, Urls
from azlogs.emulator.control import create_control_plane, graph
from azlogs.emulator.control import routes as control_routes
from azlogs.emulator.control.routes import not_served
from azlogs.emulator.control.state import STATE_FILE
from azlogs.emulator.faults import FaultMiddleware, FaultRegistry, FaultRule
from azlogs.emulator.guards import AdminAuthMiddleware, BodyLimitMiddleware
from azlogs.emulator.identity import entra, managed
from azlogs.emulator.identity.issuer import Issuer, ServiceAccountIssuer, load_or_create_key
from azlogs.emulator.identity.managed import ArcChallenges
from azlogs.emulator.ingestion import datacollector, metrics_batch
from azlogs.emulator.private import private_dir, private_file, tighten
from azlogs.emulator.query import routes as query_routes
from azlogs.emulator.requestlog import RequestLogMiddleware
from azlogs.emulator.store import DB_NAME
from azlogs.emulator.tls import ensure_tls

log = logging.getLogger("azlogs.emulator")

WORKLOAD_TOKEN_LIFETIME = 3600
WORKLOAD_TOKEN_REFRESH = 600
ARC_FALLBACK_DIR = "arc-tokens"
# What the emulator writes in its data dir; an older version left these readable by everyone.
_OWN_ENTRIES = [
    "state.json",
    STATE_FILE,
    DISCOVERY_NAME,
    DB_NAME,
    f"{DB_NAME}-wal",
    f"{DB_NAME}-shm",
    "requests.log",
    "keys",
    "tls",
    "workload",
    ARC_FALLBACK_DIR,
]


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise EmulatorError(
            f"cannot listen on {host}:{port}: {exc.strerror}", hint="pick another port or 0 for any"
        ) from exc
    sock.listen(512)
    sock.set_inheritable(True)
    return sock


def _arc_key_dir(settings: Settings) -> tuple[Path, str | None]:
    try:
        ARC_KEY_DIR.mkdir(parents=True, exist_ok=True)
        probe = ARC_KEY_DIR / f".probe-{os.getpid()}"
        probe.write_text("")
        probe.unlink()
        return ARC_KEY_DIR, None
    except OSError as exc:
        fallback = private_dir(settings.data_dir / ARC_FALLBACK_DIR)
        return fallback, (
            f"{ARC_KEY_DIR} is not writable ({exc.strerror}); Arc key files go to {fallback}. curl and scripts "
            "work, but unchanged azure-identity only reads key files from "
            f"{ARC_KEY_DIR}: run the emulator as root, or create that directory writable for its user."
        )


async def _health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def _faults(request: Request) -> Response:
    ctx: Context = request.app.state.ctx
    if request.method == "GET":
        return JSONResponse({"faults": ctx.faults.list()})
    if request.method == "DELETE":
        endpoint = request.query_params.get("endpoint")
        return JSONResponse({"removed": ctx.faults.clear(endpoint)})
    try:
        body = await request.json()
        rule = ctx.faults.add(FaultRule(**body))
    except (ValueError, TypeError) as exc:
        return JSONResponse({"error": {"code": "InvalidFault", "message": str(exc)}}, 400)
    except UsageError as exc:
        return JSONResponse({"error": {"code": "InvalidFault", "message": exc.message}}, 400)
    return JSONResponse({"fault": {"id": rule.id}}, 201)


def _admin_routes() -> list[BaseRoute]:
    return [
        Route("/_emulator/health", _health, methods=["GET"]),
        Route("/_emulator/faults", _faults, methods=["GET", "POST", "DELETE"]),
    ]


# Planes that add HTTPS routes: each is a callable taking the Context. Later planes (control,
# ingestion, query) register here.
HTTPS_PLANES: list[Callable[[Context], list[BaseRoute]]] = [
    control_routes,
    graph.routes,
    ingestion.plane,
    datacollector.plane,
    metrics_batch.routes,
    query_routes,
    portal.plane,  # after ingestion: it reads the store
]


def _build_app(ctx: Context, routes: list[BaseRoute], listener: str) -> Any:
    app = Starlette(routes=routes)
    if listener == "https":
        # Azure answers unknown paths with JSON errors and sends no trailing-slash redirects.
        app.router.redirect_slashes = False
        app.add_exception_handler(HTTPException, not_served)
    app.state.ctx = ctx
    # Outermost first: log every answer; cap bodies and check admin credentials before any route runs.
    guarded = BodyLimitMiddleware(AdminAuthMiddleware(FaultMiddleware(app, ctx.faults), ctx))
    return RequestLogMiddleware(guarded, listener)


def _setup_request_log(settings: Settings) -> logging.Handler:
    logger = logging.getLogger("azlogs.emulator.requests")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    handler: logging.Handler
    if settings.log_file is not None:
        settings.log_file.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(private_file(settings.log_file))
    elif settings.in_memory:
        handler = logging.StreamHandler(sys.stderr)
    else:
        handler = logging.FileHandler(private_file(settings.data_dir / "requests.log"))
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    return handler


class Emulator:
    """One emulator instance. Use :meth:`run` in the foreground or :meth:`start_background`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # The data dir holds every ingested row and the tenant's secrets: the user's alone (0700/0600).
        private_dir(settings.data_dir)
        tighten(settings.data_dir, _OWN_ENTRIES)
        config: dict[str, Any] = {}
        if settings.config_file is not None:
            config = load_config_file(settings.config_file)
        overrides = apply_config(settings, config)
        tenant = load_or_create_tenant(settings, overrides, list(config.get("identities", [])))
        self.config = config
        keys = None if settings.in_memory else private_dir(settings.data_dir / "keys")
        issuer = Issuer(
            tenant.tenant_id, load_or_create_key(keys / f"{tenant.tenant_id}.pem" if keys else None)
        )
        sa_key = load_or_create_key(keys / "cluster-oidc.pem" if keys else None)
        arc_dir, arc_warning = _arc_key_dir(settings)
        self.ctx = Context(
            settings=settings,
            tenant=tenant,
            issuer=issuer,
            sa_issuer=ServiceAccountIssuer("", sa_key),
            faults=FaultRegistry(),
            urls=Urls(),
            arc_key_dir=arc_dir,
            arc_key_dir_warning=arc_warning,
        )
        self.ctx.arc = ArcChallenges(arc_dir, settings.arc_secret_ttl, settings.arc_key_owner)
        self.ctx.control = create_control_plane(
            self.ctx, config.get("resources", []), source=f"config file {settings.config_file}"
        )
        self.tls = ensure_tls(
            private_dir(settings.data_dir / "tls"),
            sorted({"127.0.0.1", "localhost", datacollector.HOST_NAMES, settings.host}),
        )
        self._servers: list[GuardedServer] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self.info: Discovery | None = None

    @property
    def discovery_path(self) -> Path:
        return self.settings.data_dir / DISCOVERY_NAME

    def _token_file(self) -> Path:
        return self.settings.data_dir / "workload" / "azure-identity-token"

    def _write_workload_token(self) -> None:
        ident = next((i for i in self.ctx.tenant.identities if i.kind == "workload" and i.federated), None)
        if ident is None or ident.federated is None:
            return
        token = self.ctx.sa_issuer.mint(
            ident.federated["subject"], ident.federated["audience"], WORKLOAD_TOKEN_LIFETIME
        )
        path = self._token_file()
        private_dir(path.parent)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)  # a stale temporary file keeps its old mode through O_TRUNC
        with os.fdopen(fd, "w") as fh:
            fh.write(token)
        os.replace(tmp, path)

    def _discovery(self) -> Discovery:
        t = self.ctx.tenant
        u = self.ctx.urls
        return Discovery(
            pid=os.getpid(),
            started_at=time.time(),
            data_dir=str(self.settings.data_dir),
            in_memory=self.settings.in_memory,
            # The Azure cloud emulated: clients use its audiences (``azlogs emulator env`` exports it as AZURE_CLOUD).
            cloud=self.settings.cloud.name,
            tenant_id=t.tenant_id,
            subscription_id=t.subscription_id,
            resource_group=t.resource_group,
            location=t.location,
            ca_cert=str(self.tls.ca_cert),
            endpoints=DiscoveryEndpoints(
                imds=u.imds,
                arc=u.arc,
                arc_identity_endpoint=f"{u.arc}/metadata/identity/oauth2/token",
                app_service=u.appservice,
                automation=u.automation,
                authority=u.authority,
                arm=u.arm,
                dce=u.dce,
                # The retired HTTP Data Collector API of the tenant's workspace: POST {this}/api/logs.
                data_collector=f"{u.https}/ods/{t.workspace_id}",
                query=u.query,
                graph=u.graph,
                cluster_issuer=u.cluster_issuer,
                admin=f"{u.https}/_emulator",
                portal=f"{u.https}{portal.PREFIX}/",
                metrics=u.metrics,
            ),
            workspace=DiscoveryWorkspace(
                id=t.workspace_id, name=t.workspace_name, resource_id=t.workspace_resource_id
            ),
            identities=tuple(i.public() for i in t.identities),
            admin=DiscoveryAdmin(
                client_id=t.admin.client_id,
                client_secret=t.admin.client_secret or "",  # the admin is always created with one
                principal_id=t.admin.principal_id,
                # Per start: 'Authorization: Bearer <key>' on the /_emulator/ admin endpoints.
                key=self.ctx.admin_key,
            ),
            identity_headers=dict(self.ctx.identity_headers),
            federated_token_file=str(self._token_file()),
            arc_key_dir=str(self.ctx.arc_key_dir),
            warnings=tuple(w for w in [self.ctx.arc_key_dir_warning] if w),
            path=self.discovery_path,
        )

    async def serve(self, *, install_signals: bool = False) -> None:
        """Bind both listeners, write the discovery file when both are ready, serve until stopped."""
        s = self.settings
        http_sock = _bind(s.host, s.port)
        https_sock = _bind(s.host, s.tls_port)
        host = f"[{s.host}]" if ":" in s.host else s.host
        self.ctx.urls.http = f"http://{host}:{http_sock.getsockname()[1]}"
        self.ctx.urls.https = f"https://{host}:{https_sock.getsockname()[1]}"
        self.ctx.sa_issuer.issuer = self.ctx.urls.cluster_issuer
        for ident in self.ctx.tenant.identities:
            if ident.kind == "workload" and ident.federated is not None and not ident.federated.get("issuer"):
                ident.federated["issuer"] = self.ctx.urls.cluster_issuer
        self._write_workload_token()
        log_handler = _setup_request_log(s)
        https_routes: list[BaseRoute] = [*_admin_routes()]
        for plane in HTTPS_PLANES:
            https_routes.extend(plane(self.ctx))
        https_routes.extend(entra.routes())
        http_app = _build_app(self.ctx, [*_admin_routes(), *managed.routes()], "http")
        https_app = _build_app(self.ctx, https_routes, "https")
        # A stop waits at most a few seconds for requests in flight; idle keep-alive connections close at once.
        common: dict[str, Any] = {
            "log_config": None,
            "access_log": False,
            "lifespan": "off",
            "timeout_keep_alive": 30,
            "timeout_graceful_shutdown": 3,
        }
        limits = ConnectionLimits(
            header_timeout=s.header_timeout,
            body_timeout=s.body_timeout,
            max_connections=effective_max_connections(s.max_connections),
        )
        common["http"] = guarded_protocol(limits)
        self._servers = [
            GuardedServer(uvicorn.Config(http_app, **common), s.header_timeout),
            GuardedServer(
                uvicorn.Config(
                    https_app,
                    ssl_certfile=str(self.tls.server_cert),
                    ssl_keyfile=str(self.tls.server_key),
                    **common,
                ),
                s.header_timeout,
            ),
        ]
        loop = asyncio.get_running_loop()
        self._loop = loop
        if install_signals:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, self.request_stop)
        tasks = [
            asyncio.create_task(self._servers[0].serve(sockets=[http_sock])),
            asyncio.create_task(self._servers[1].serve(sockets=[https_sock])),
        ]
        refresher = asyncio.create_task(self._refresh_workload_token())
        try:
            while not all(srv.started for srv in self._servers):
                if any(t.done() for t in tasks):
                    break
                await asyncio.sleep(0.01)
            if all(srv.started for srv in self._servers):
                self.info = self._discovery()
                self.info.write(self.discovery_path)
                for warning in self.info.warnings:
                    log.warning(warning)
                log.info(
                    "portal: %s (sign in with admin.key from %s)", self.info.endpoints.portal, self.info.where
                )
                self._ready.set()
            await asyncio.gather(*tasks)
        finally:
            refresher.cancel()
            self.ctx.arc.close()
            # The ingestion worker finishes its queue before the store under it closes.
            for service in (getattr(self.ctx, "ingestion", None), getattr(self.ctx, "store", None)):
                if service is not None:
                    await service.close_async()
            with contextlib.suppress(FileNotFoundError):
                self.discovery_path.unlink()
            logging.getLogger("azlogs.emulator.requests").removeHandler(log_handler)
            log_handler.close()
            http_sock.close()
            https_sock.close()
            self._ready.set()

    async def _refresh_workload_token(self) -> None:
        # Like the kubelet: the projected token is rewritten well before it expires.
        while True:
            await asyncio.sleep(WORKLOAD_TOKEN_REFRESH)
            self._write_workload_token()

    def request_stop(self) -> None:
        """Ask both listeners to finish their requests and stop (safe from any thread)."""

        def stop() -> None:
            for srv in self._servers:
                srv.should_exit = True

        if self._loop is not None and self._loop.is_running():
            self._loop.call_soon_threadsafe(stop)
        else:
            stop()

    def run(self) -> None:
        """Serve in the foreground until SIGINT or SIGTERM."""
        asyncio.run(self.serve(install_signals=True))

    def start_background(self, timeout: float = 30.0) -> Discovery:
        """Serve from a daemon thread; return what it wrote in ``emulator.json`` once both listeners are ready."""

        def target() -> None:
            try:
                asyncio.run(self.serve())
            except BaseException as exc:  # reported to the starting thread
                self._error = exc
                self._ready.set()

        self._thread = threading.Thread(target=target, name="azlogs-emulator", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise EmulatorError(f"the emulator did not become ready within {timeout:.0f} s")
        if self._error is not None:
            raise EmulatorError(f"the emulator failed to start: {self._error}") from self._error
        if self.info is None:
            raise EmulatorError("the emulator stopped before it was ready")
        return self.info

    def stop(self, timeout: float = 15.0) -> None:
        self.request_stop()
        if self._thread is not None:
            self._thread.join(timeout)

    def __enter__(self) -> Discovery:
        return self.start_background()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def settings_from(
    data_dir: Path | None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    tls_port: int = 0,
    in_memory: bool = False,
    config_file: Path | None = None,
    log_file: Path | None = None,
    cloud: str | None = None,
    data_collector_api: str | None = None,
) -> Settings:
    settings = Settings(
        data_dir=data_dir or default_data_dir(),
        host=host,
        port=port,
        tls_port=tls_port,
        in_memory=in_memory,
        config_file=config_file,
        log_file=log_file,
    )
    if cloud:
        try:
            settings.cloud = get_cloud(cloud)
        except UsageError as exc:
            raise ConfigError(f"--cloud: {exc.message}", hint=exc.hint) from None
        settings.extra["cloud_from_cli"] = True
    if data_collector_api:
        if data_collector_api.lower() not in DATA_COLLECTOR_API_MODES:
            raise UsageError(
                f"--data-collector-api {data_collector_api!r}: use one of {', '.join(DATA_COLLECTOR_API_MODES)}"
            )
        settings.data_collector_api = data_collector_api.lower()
        settings.extra["data_collector_api_from_cli"] = True  # wins over the config file
    return settings
