"""The query API's answers in the service's shapes: JSON with ``x-ms-request-id``, OneAPI errors.

Shapes are those of Azure's recorded sessions (azure-sdk-assets, azure-monitor-query live tests) and
the .NET SDK's README: a syntax error is ``BadArgumentError`` > ``SyntaxError`` > ``SYN0002`` (with
``line``, ``pos``, ``token``); an unresolved name is ``BadArgumentError`` > ``SemanticError`` >
``SEM0100``; a path the API does not have is 404 ``PathNotFoundError``; a request without a token is
401 ``AuthorizationRequiredError``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any

import orjson
from starlette.responses import Response

from azlogs._exceptions import KqlError

JSON_TYPE = "application/json; charset=utf-8"
INVALID_PROPERTIES = "The request had some invalid properties"

_PREFIX = re.compile(r"^line \d+, column \d+: ")
_UNRESOLVED = re.compile(r"^unknown (?:table|column or name) '(?P<name>[^']*)'")
_TOKEN = re.compile(r"\w+|\S")
_PIPE_OP = re.compile(r"\|\s*(?P<op>[A-Za-z_][\w-]*)")
_LEAD_OP = re.compile(r"(?:^|;)\s*(?P<op>print|range|datatable|union|search|find|let)\b")


class BadRequest(Exception):
    """A request the API refuses with 400 ``BadArgumentError`` and this inner error."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def json_response(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    """A JSON answer carrying a fresh ``x-ms-request-id``, as the service's answers do."""
    sent = {"x-ms-request-id": str(uuid.uuid4()), **(headers or {})}
    return Response(orjson.dumps(body), status, headers=sent, media_type=JSON_TYPE)


def error(status: int, code: str, message: str, inner: Mapping[str, Any] | None = None) -> Response:
    """``{"error": {message, code, correlationId[, innererror]}}`` with ``status``."""
    err: dict[str, Any] = {"message": message, "code": code, "correlationId": str(uuid.uuid4())}
    if inner:
        err["innererror"] = dict(inner)
    return json_response({"error": err}, status)


def bad_argument(code: str, message: str) -> Response:
    """400 ``BadArgumentError`` with one inner error."""
    return error(400, "BadArgumentError", INVALID_PROPERTIES, {"code": code, "message": message})


def path_not_found() -> Response:
    """404 as the service answers a path it does not serve (a workspace id that is not a GUID too)."""
    return error(404, "PathNotFoundError", "The requested path does not exist")


def authorization_required() -> Response:
    """401 for a request without a (Bearer) token."""
    return error(401, "AuthorizationRequiredError", "Valid authentication was not provided")


def _offset(text: str, line: int, column: int) -> int:
    lines = text.split("\n")
    line = max(1, min(line, len(lines)))
    return sum(len(x) + 1 for x in lines[: line - 1]) + max(0, column - 1)


def syntax_error(exc: KqlError, text: str) -> Response:
    """``SYN0002``: where the text stops parsing (line, 0-based pos within the line, the token there)."""
    line, column = exc.line or 1, exc.column or 1
    found = _TOKEN.search(text, _offset(text, line, column))
    token = found.group(0) if found else ""
    inner = {
        "code": "SyntaxError",
        "message": "A recognition error occurred in the query.",
        "innererror": {
            "code": "SYN0002",
            "message": f"Query could not be parsed at '{token}' on line [{line},{column - 1}]",
            "line": line,
            "pos": column - 1,
            "token": token,
        },
    }
    return error(400, "BadArgumentError", INVALID_PROPERTIES, inner)


def _operator(text: str, at: int, table: bool) -> str | None:
    """The operator Kusto names for a name at ``at``: a table feeds the next ``| op``, a column is in its stage."""
    if table:
        nxt = _PIPE_OP.search(text, at)
        return nxt.group("op") if nxt else None
    before = [m.group("op") for m in _PIPE_OP.finditer(text, 0, at)]
    if before:
        return before[-1]
    lead = [m.group("op") for m in _LEAD_OP.finditer(text, 0, at)]
    return lead[-1] if lead else None


def semantic_error(exc: KqlError, text: str) -> Response:
    """``SemanticError``; an unresolved table or column is ``SEM0100`` in the service's words."""
    message = _PREFIX.sub("", exc.message)
    detail: dict[str, Any] = {"code": "SemanticError", "message": "A semantic error occurred."}
    unresolved = _UNRESOLVED.match(message)
    if unresolved:
        name = unresolved.group("name")
        table = message.startswith("unknown table")
        at = _offset(text, exc.line or 1, exc.column or 1)
        op = _operator(text, at, table)
        what = "table or column expression" if table else "scalar expression"
        said = f"Failed to resolve {what} named '{name}'"
        detail["innererror"] = {"code": "SEM0100", "message": f"'{op}' operator: {said}" if op else said}
    else:
        detail["innererror"] = {"code": "SemanticError", "message": message}
    return error(400, "BadArgumentError", INVALID_PROPERTIES, detail)
