"""Token inspection: the claims of an access token, never the token itself.

Decoding here does not verify the signature; it is for telling a user which identity, audience and
expiry a token carries. Only an allow-listed set of claims is ever shown.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

# Claims that identify, never authenticate: safe to print.
SHOWN_CLAIMS = (
    "oid",
    "appid",
    "azp",
    "sub",
    "aud",
    "iss",
    "tid",
    "idtyp",
    "xms_mirid",
    "xms_az_rid",
    "iat",
    "nbf",
    "exp",
    "ver",
)


def decode_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT as a dict (unverified); an empty dict for something that is not a JWT."""
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        data = json.loads(base64.urlsafe_b64decode(payload.encode()))
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def shown_claims(token: str) -> dict[str, Any]:
    """The allow-listed claims of a token, in a stable order."""
    claims = decode_claims(token)
    return {k: claims[k] for k in SHOWN_CLAIMS if k in claims}


def expiry(claims: dict[str, Any]) -> dt.datetime | None:
    exp = claims.get("exp")
    if isinstance(exp, (int, float)):
        return dt.datetime.fromtimestamp(exp, dt.timezone.utc)
    return None


def describe_expiry(claims: dict[str, Any], now: dt.datetime | None = None) -> str:
    when = expiry(claims)
    if when is None:
        return "unknown"
    now = now or dt.datetime.now(dt.timezone.utc)
    left = when - now
    minutes = int(left.total_seconds() // 60)
    rel = f"in {minutes // 60} h {minutes % 60} min" if left.total_seconds() >= 0 else "EXPIRED"
    return f"{when:%Y-%m-%d %H:%M:%S} UTC ({rel})"
