"""Metadata functions: ``current_principal``, ``current_principal_details``,
``current_principal_is_member_of``, ``cursor_current`` and ``estimate_data_size``.

From the Kusto pages (MicrosoftDocs/dataexplorer-docs, data-explorer/kusto/query/
current-principal-function.md, current-principal-details-function.md,
current-principal-is-member-of-function.md, cursor-current.md, database-cursor.md,
estimate-data-size-function.md).

The caller is the run's principal: the claims of the access token the query was sent with
(``run_query(..., principal=claims)``; the emulator's query API passes the validated token's). Its
fully qualified name is ``aadapp=<appid>;<tid>`` for an app-only token (``idtyp`` ``app``, what
managed identities and client credentials get) and ``aaduser=<oid>;<tid>`` otherwise, the page's
*PrincipalType*``=``*PrincipalId*``;``*TenantId*. A run without a caller (a plain ``run_query``) has
no principal: ``current_principal()`` is ``""``, ``current_principal_details()`` an empty bag and
``current_principal_is_member_of(...)`` false, so the answers are the same on every run. Group
membership is read from the token's ``groups`` claim (object ids), the only groups a token names.

``cursor_current()`` is the database cursor, an opaque string (database-cursor.md's example is
``636040929866477946``, a count of 100 ns ticks): here the run's ``now()`` in 100 ns ticks since
0001-01-01, so a query's cursor is fixed for its run and later runs have larger ones.

``estimate_data_size(columns)`` is the bytes of the named columns of the row (``*`` for all), by
type: the page's long is 8 and a string its length (``(8+10)x10 = 180``). Our reading elsewhere:
int 4, bool 1, real/datetime/timespan 8, guid and decimal 16, a string its UTF-8 bytes, a dynamic
value the UTF-8 bytes of its JSON text; a null is 0.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from azlogs.kql import _ast as A
from azlogs.kql._compile import CExpr, Env, Row, compile_expr, err
from azlogs.kql._registry import REGISTRY, FunctionSpec
from azlogs.kql._values import to_dynamic, to_long

__all__ = ["FORMS", "principal_fqn"]


def principal_fqn(claims: Mapping[str, Any] | None) -> str:
    """The fully qualified name of a token's principal, ``""`` without one."""
    if not claims:
        return ""
    tenant = str(claims.get("tid", ""))
    if claims.get("idtyp") == "app" or ("appid" in claims and "upn" not in claims and "scp" not in claims):
        return f"aadapp={claims.get('appid', claims.get('azp', ''))};{tenant}"
    return f"aaduser={claims.get('oid', claims.get('sub', ''))};{tenant}"


def _details(claims: Mapping[str, Any] | None) -> dict[str, Any]:
    if not claims:
        return {}
    app = principal_fqn(claims).startswith("aadapp=")
    upn = claims.get("upn") or claims.get("preferred_username")
    out: dict[str, Any] = {
        "UserPrincipalName": None if app else upn,
        "IdentityProvider": claims.get("idp") or claims.get("iss"),
        "Authority": claims.get("tid"),
        "Mfa": "True" if "mfa" in (claims.get("amr") or ()) else "False",
        "Type": "AadApplication" if app else "AadUser",
        "DisplayName": claims.get("name") or (claims.get("appid") if app else upn),
        "ObjectId": claims.get("oid"),
        "FQN": principal_fqn(claims),
        "Notes": None,
    }
    for claim, field in (
        ("ctry", "Country"),
        ("tenant_ctry", "TenantCountry"),
        ("tenant_region_scope", "TenantRegion"),
    ):
        if claim in claims:
            out[field] = claims[claim]
    return out


def _no_args(node: A.Call) -> None:
    if node.args:
        raise err(node, f"{node.name}() takes no arguments, got {len(node.args)}")


def _current_principal(node: A.Call, env: Env) -> CExpr:
    _no_args(node)
    ctx = env.ctx
    return CExpr(lambda r: principal_fqn(ctx.principal), "string", row_free=True)


def _current_principal_details(node: A.Call, env: Env) -> CExpr:
    _no_args(node)
    ctx = env.ctx
    return CExpr(lambda r: _details(ctx.principal), "dynamic", row_free=True)


def _is_member(claims: Mapping[str, Any] | None, names: list[str]) -> bool:
    if not claims:
        return False
    fqn = principal_fqn(claims).lower()
    tenant = str(claims.get("tid", "")).lower()
    groups = {str(g).lower() for g in claims.get("groups") or ()}
    for name in names:
        n = name.strip().lower()
        if n == fqn:
            return True
        kind, _, ident = n.partition("=")
        if kind == "aadgroup":
            gid, _, gtenant = ident.partition(";")
            if gid in groups and (not gtenant or gtenant == tenant):
                return True
    return False


def _current_principal_is_member_of(node: A.Call, env: Env) -> CExpr:
    """The principal names must be string literals (or one dynamic array of them), as the page says."""
    if not node.args:
        raise err(node, f"{node.name}() takes at least one principal name")
    names: list[str] = []
    for a in node.args:
        c = compile_expr(a, env)
        values = c.value if isinstance(c.value, list) else [c.value]
        if not c.const or not all(isinstance(v, str) for v in values):
            raise err(a, f"the arguments of {node.name}() must be string literals or a dynamic array of them")
        names.extend(values)
    ctx = env.ctx
    return CExpr(lambda r: _is_member(ctx.principal, names), "bool", row_free=True)


def _cursor_current(node: A.Call, env: Env) -> CExpr:
    _no_args(node)
    ctx = env.ctx
    return CExpr(lambda r: str(to_long(ctx.now)), "string", row_free=True)


_FIXED_SIZES = {
    "int": 4,
    "bool": 1,
    "long": 8,
    "real": 8,
    "datetime": 8,
    "timespan": 8,
    "guid": 16,
    "decimal": 16,
}


def data_size(value: Any, typ: str) -> int:
    """The estimated bytes of one value of a column of type ``typ``."""
    if value is None:
        return 0
    if typ == "string":
        return len(value.encode("utf-8")) if isinstance(value, str) else 0
    if typ in _FIXED_SIZES:
        return _FIXED_SIZES[typ]
    text = json.dumps(to_dynamic(value), separators=(",", ":"), ensure_ascii=False, default=str)
    return len(text.encode("utf-8"))


def _estimate_data_size(node: A.Call, env: Env) -> CExpr:
    if not node.args:
        raise err(node, f"{node.name}() takes one or more columns, or *")
    chosen: list[tuple[str, str]] = []
    for a in node.args:
        if isinstance(a, A.Star):
            chosen.extend((n, t) for n, t in env.columns.items() if not n.startswith("\0"))
        elif isinstance(a, A.Column) and a.name in env.columns:
            chosen.append((a.name, env.columns[a.name]))
        else:
            raise err(a, f"the arguments of {node.name}() must be column names or *")

    def fn(r: Row) -> int:
        return sum(data_size(r.get(name), typ) for name, typ in chosen)

    return CExpr(fn, "long")


FORMS = {
    "current_principal": _current_principal,
    "current_principal_details": _current_principal_details,
    "current_principal_is_member_of": _current_principal_is_member_of,
    "cursor_current": _cursor_current,
    "estimate_data_size": _estimate_data_size,
}
for _name, _low, _high, _result in (
    ("current_principal", 0, 0, "string"),
    ("current_principal_details", 0, 0, "dynamic"),
    ("current_principal_is_member_of", 1, -1, "bool"),
    ("cursor_current", 0, 0, "string"),
    ("estimate_data_size", 1, -1, "long"),
):
    REGISTRY[_name] = FunctionSpec(_name, _low, _high, _result, "query", None, (), None, True)
