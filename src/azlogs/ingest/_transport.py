"""The requests of the Logs Ingestion API: the URL of a stream and the POST of one gzip batch.

The HTTP client, TLS trust and the translation of httpx errors are azlogs._http's (one layer for every
outbound client); unit tests replace the network with ``httpx.MockTransport`` at that seam.
"""

from __future__ import annotations

import uuid
from urllib.parse import quote

import httpx

from azlogs._http import USER_AGENT


def ingestion_url(endpoint: str, rule_id: str, stream: str) -> str:
    """``{endpoint}/dataCollectionRules/{ruleId}/streams/{stream}`` (query string added per request)."""
    return f"{endpoint}/dataCollectionRules/{quote(rule_id, safe='')}/streams/{quote(stream, safe='')}"


def build_request(url: str, api_version: str, token: str, gzip_body: bytes) -> httpx.Request:
    """The POST of one gzip JSON array, with a fresh ``x-ms-client-request-id``."""
    return httpx.Request(
        "POST",
        url,
        params={"api-version": api_version},
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
            "x-ms-client-request-id": str(uuid.uuid4()),
        },
        content=gzip_body,
    )
