"""The ingestion endpoint's refusals and their wire shape.

Every refusal answers ``{"error": {"code": ..., "message": ...}}`` with an ``x-ms-error-code`` header
(as Azure's recorded sessions show, see facts.py), an ``x-ms-request-id``, ``WWW-Authenticate: Bearer ...`` on 401, and
``Retry-After`` only on 429: azure-core retries any answer that carries Retry-After (azure-core's RetryPolicy), so a
400/403/413 must never have one. Codes marked [U] are the emulator's choice where the service's
code is not documented (docs/ingestion.md lists them).
"""

from __future__ import annotations

from typing import Final

import orjson
from starlette.responses import Response

from azlogs import facts

# Codes. Documented or recorded (docs/differences.md names the recordings): OperationFailed (403),
# ContentLengthLimitExceeded (413), NotFound (404, unknown DCR), InvalidStream (400, unknown
# stream). The rest are [U].
MISSING_API_VERSION: Final = "MissingApiVersionParameter"
UNSUPPORTED_API_VERSION: Final = "UnsupportedApiVersion"
AUTHENTICATION_FAILED: Final = "AuthenticationFailed"
OPERATION_FAILED: Final = "OperationFailed"
ENDPOINT_NOT_FOUND: Final = "EndpointNotFound"
DCR_NOT_FOUND: Final = facts.CODE_DCR_NOT_FOUND
STREAM_NOT_FOUND: Final = facts.CODE_INVALID_STREAM
CONTENT_LENGTH_LIMIT: Final = "ContentLengthLimitExceeded"
MALFORMED_JSON: Final = "InvalidRequestBody"
INVALID_CONTENT_ENCODING: Final = "InvalidContentEncoding"
UNSUPPORTED_CONTENT_ENCODING: Final = "UnsupportedContentEncoding"
TOO_MANY_REQUESTS: Final = "TooManyRequests"
TRANSFORMATION_UNAVAILABLE: Final = "TransformationNotSupported"
TRANSFORMATION_FAILED: Final = "TransformationFailed"
CONTROL_PLANE_UNAVAILABLE: Final = "ServiceUnavailable"


class Refusal(Exception):
    """An answer other than 204; raised anywhere on the request's path, rendered by the endpoint.

    Args:
        status: the HTTP status.
        code: the error code (body and ``x-ms-error-code``).
        message: the error message; names the thing and, where it helps, the fix.
        retry_after: seconds, only for 429.
        challenge: for 401, the ``error_description`` of the ``WWW-Authenticate`` challenge.
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        retry_after: int | None = None,
        challenge: str | None = None,
    ) -> None:
        super().__init__(message)
        if retry_after is not None and status != 429:
            raise ValueError("Retry-After belongs on 429 only: azure-core retries anything that carries it")
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after
        self.challenge = challenge


def _challenge_value(authority: str, description: str) -> str:
    # Quoted-string per RFC 7235: backslash-escape quotes and backslashes.
    desc = description.replace("\\", "\\\\").replace('"', '\\"')
    return f'Bearer authorization_uri="{authority}", error="invalid_token", error_description="{desc}"'


def refusal_response(refusal: Refusal, *, request_id: str, authority: str) -> Response:
    """The HTTP answer for ``refusal``."""
    body = orjson.dumps({"error": {"code": refusal.code, "message": refusal.message}})
    headers = {"x-ms-error-code": refusal.code, "x-ms-request-id": request_id}
    if refusal.status == 401:
        headers["WWW-Authenticate"] = _challenge_value(authority, refusal.challenge or refusal.message)
    if refusal.retry_after is not None:
        headers["Retry-After"] = str(refusal.retry_after)
    return Response(body, status_code=refusal.status, headers=headers, media_type="application/json")
