"""Identity: source detection, credential choice on azure-identity, the token cache (refreshed early),
token inspection (claims only)."""

from azlogs.auth._tokens import AsyncTokenCache, Token, TokenCache
from azlogs.auth.claims import decode_claims, describe_expiry, shown_claims
from azlogs.auth.clouds import (
    AZURE_CHINA,
    AZURE_PUBLIC,
    AZURE_US_GOVERNMENT,
    CLOUDS,
    Cloud,
    get_cloud,
    resolve_cloud,
)
from azlogs.auth.credential import Choice, choose, get_token
from azlogs.auth.detect import SOURCES, Detection, detect

__all__ = [
    "AZURE_CHINA",
    "AZURE_PUBLIC",
    "AZURE_US_GOVERNMENT",
    "CLOUDS",
    "SOURCES",
    "AsyncTokenCache",
    "Choice",
    "Cloud",
    "Detection",
    "Token",
    "TokenCache",
    "choose",
    "decode_claims",
    "describe_expiry",
    "detect",
    "get_cloud",
    "get_token",
    "resolve_cloud",
    "shown_claims",
]
