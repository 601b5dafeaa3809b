"""A minimal HTTPS ingestion sink: gunzips, counts records, answers 204. Isolates the client's own cost.

Usage: python bench/sink.py DATA_DIR TLS_DIR  (writes DATA_DIR/sink.json with its URL once listening; the
certificate comes from TLS_DIR, the emulator's, so clients trust both with one CA)
"""

from __future__ import annotations

import json
import socket
import sys
import zlib
from pathlib import Path

import orjson
import uvicorn

from azlogs.emulator.tls import ensure_tls

COUNT = {"records": 0, "requests": 0}


async def app(scope, receive, send):  # type: ignore[no-untyped-def]
    if scope["type"] != "http":
        return
    body = bytearray()
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    data = bytes(body)
    if dict(scope["headers"]).get(b"content-encoding") == b"gzip":
        data = zlib.decompress(data, 16 + zlib.MAX_WBITS)
    COUNT["requests"] += 1
    COUNT["records"] += len(orjson.loads(data)) if scope["method"] == "POST" else 0
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})


def main() -> None:
    data_dir = Path(sys.argv[1])
    tls = ensure_tls(Path(sys.argv[2]), ["127.0.0.1", "localhost"])
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    port = sock.getsockname()[1]
    (data_dir / "sink.json").write_text(
        json.dumps({"url": f"https://127.0.0.1:{port}", "ca_cert": str(tls.ca_cert)})
    )
    config = uvicorn.Config(
        app,
        ssl_certfile=str(tls.server_cert),
        ssl_keyfile=str(tls.server_key),
        log_config=None,
        access_log=False,
        lifespan="off",
    )
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
