"""Identity: source detection, credential choice on azure-identity, token inspection (claims only)."""

from azlogs.auth.claims import decode_claims, describe_expiry, shown_claims
from azlogs.auth.credential import MONITOR_SCOPE, choose, get_token
from azlogs.auth.detect import SOURCES, Detection, detect

__all__ = [
    "MONITOR_SCOPE",
    "SOURCES",
    "Detection",
    "choose",
    "decode_claims",
    "describe_expiry",
    "detect",
    "get_token",
    "shown_claims",
]
