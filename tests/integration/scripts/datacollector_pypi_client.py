"""Post a JSON file with the PyPI package azure-log-analytics-data-collector-api (0.4.0), unchanged.

usage: SHARED_KEY=... python datacollector_pypi_client.py WORKSPACE_ID DOMAIN LOG_TYPE BODY_FILE [TIME_FIELD]

The client builds ``https://{WORKSPACE_ID}.{DOMAIN}/api/logs``; Azure's DOMAIN was ``ods.opinsights.azure.com``,
the emulator's is ``ods.localhost:PORT``. RFC 6761 makes every name under ``localhost`` loopback (curl and
systemd-resolved do so); glibc's resolver does not, so this process resolves those names as they would
before it imports the client. TLS trust comes from REQUESTS_CA_BUNDLE, as for any requests user.
Prints the HTTP status the client got.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from typing import Any

_getaddrinfo = socket.getaddrinfo


def _loopback_names(host: Any, *args: Any, **kwargs: Any) -> Any:
    if isinstance(host, str) and host.lower().endswith(".localhost"):
        host = "127.0.0.1"
    return _getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _loopback_names

from datacollectorapi import client  # noqa: E402 (after the resolver, as /etc/hosts would be)


def main() -> None:
    workspace, domain, log_type, body_file = sys.argv[1:5]
    time_field = sys.argv[5] if len(sys.argv) > 5 else ""
    with open(body_file) as f:
        records = json.load(f)
    api = client.DataCollectorAPIClient(workspace, os.environ["SHARED_KEY"], endpoint=domain)
    response = api.post_data(log_type, records, record_timestamp=time_field)
    print(response.status_code)


if __name__ == "__main__":
    main()
