"""One owner per fact: cloud hosts and audiences live in azlogs.auth.clouds, role ids in azlogs.facts, Kusto's
types, their aliases, conversions and int/long ranges in azlogs.schema.types."""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import pytest

# Every check reads every module of SRC: on one xdist worker they parse each module once (_tree).
pytestmark = pytest.mark.xdist_group("fact_owners")

SRC = Path(__file__).resolve().parents[2] / "src" / "azlogs"

# What each owner alone may write as a string literal (docstrings and comments do not count).
OWNED = {
    "auth/clouds.py": (
        "://monitor.azure.",
        "metrics.monitor.azure.",
        "://api.loganalytics.",
        "://management.azure.com",
        "://management.core.",
        "management.usgovcloudapi.net",
        "management.chinacloudapi.cn",
        "login.microsoftonline.",
        "login.chinacloudapi.cn",
    ),
    "facts.py": ("3913510d-42f4-4e42-8a64-420c390055eb", "73c42c96-874c-492b-b04d-ab87d138a893"),
}
# Not a cloud fact azlogs uses: the link Entra's error answers carry (a response shape the emulator copies).
ALLOWED = {("emulator/identity/entra.py", "https://login.microsoftonline.com/error?code=")}


@functools.cache
def _tree(path: Path) -> ast.Module:
    """A module of SRC, parsed once for all the checks of this file (none of them changes a tree)."""
    return ast.parse(path.read_text())


@functools.cache
def _literals(path: Path) -> tuple[str, ...]:
    """String constants of a module, without docstrings."""
    tree = _tree(path)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return tuple(
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    )


def test_cloud_and_role_facts_have_one_owner() -> None:
    """No module but the owner writes a cloud's audience, host or authority, or a built-in role id."""
    copies = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        for owner, needles in OWNED.items():
            if rel == owner:
                continue
            for text in _literals(path):
                for needle in needles:
                    if needle in text and not any(rel == f and text.startswith(a) for f, a in ALLOWED):
                        copies.append((rel, needle, text[:80]))
    assert copies == []


def test_the_cloud_table_is_pure() -> None:
    """azlogs.auth.clouds imports only the standard library and the error tree: the client side and the
    emulator both read it, and it pulls in neither."""
    import sys

    tree = ast.parse((SRC / "auth" / "clouds.py").read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module if node.module.startswith("azlogs") else node.module.split(".")[0])
    assert {m for m in imported if m not in sys.stdlib_module_names} == {"azlogs._exceptions"}


# --- column types, their aliases and conversions; datetime text: azlogs.schema owns them ---------------

_TYPE_WORDS = {"bool", "int", "long", "real", "decimal", "string", "datetime", "timespan", "guid", "dynamic"}
_TYPE_MEMBERS = {w.upper() for w in _TYPE_WORDS}
_MONTHS = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}
# A regex that reads a date: four digits then a dash ("(\d{4})-", "[0-9]{4}-").
_DATE_REGEX = re.compile(r"(\\d|\[0-9\])\{4\}\)?-")


def _type_word(node: ast.expr) -> str | None:
    """The type a node names: a literal KQL type name or a ColumnType member (``T.INT``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.lower() in _TYPE_WORDS:
        return node.value.lower()
    if isinstance(node, ast.Attribute) and node.attr in _TYPE_MEMBERS:
        return node.attr.lower()
    return None


def _type_pairs(tree: ast.AST) -> list[tuple[int, int]]:
    """(line, number of pairs) of each literal collection holding two or more (type, type) pairs."""
    found = []
    for node in ast.walk(tree):
        elements: list[ast.expr | None] = []
        if isinstance(node, (ast.Set, ast.List, ast.Tuple)):
            elements = list(node.elts)
        elif isinstance(node, ast.Dict):
            elements = list(node.keys)
        pairs = [
            e
            for e in elements
            if isinstance(e, ast.Tuple) and len(e.elts) == 2 and all(_type_word(x) for x in e.elts)
        ]
        if len(pairs) >= 2:
            found.append((node.lineno, len(pairs)))
    return found


def test_type_and_datetime_facts_have_one_owner() -> None:
    """Only azlogs.schema.types lists type aliases and type-to-type conversions, and only
    azlogs.schema.datetimes reads datetime text (its regexes, the month names): a second copy, as
    issue 13 found three of, would give another answer."""
    copies = []
    aliases = {"int64", "int32", "uniqueid", "uuid", "uint", "ulong", "uint64", "uint32", "single"}
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        tree = _tree(path)
        texts = _literals(path)
        if rel != "schema/types.py":
            # Words of every literal, a regex's alternatives too (not .NET names such as System.Int64).
            words = {w for t in texts for w in re.findall(r"(?<![.\w])[a-z0-9]+", t.lower())}
            spelled = aliases & words
            if len(spelled) >= 2:
                copies.append((rel, "KQL type aliases", sorted(spelled)))
            copies += [(rel, "a table of type conversions", at) for at in _type_pairs(tree)]
        if rel != "schema/datetimes.py":
            if len(_MONTHS & {t.lower() for t in texts}) >= 6:
                copies.append((rel, "month names", ""))
            copies += [(rel, "a datetime regex", t[:60]) for t in texts if _DATE_REGEX.search(t)]
    assert copies == []


# Kusto's int and long ranges are azlogs.schema.types' (INT_MIN, INT_MAX, LONG_MIN, LONG_MAX).
_RANGE_EXPONENTS = {31, 63}
_RANGE_NUMBERS = {2**31 - 1, 2**31, 2**63 - 1, 2**63}
# The same numbers as other facts: 2 GiB size bounds (an agent config integer, a spool segment), and the one copy left in the KQL
# function library (_fn_hash's 64-bit check, owned by the KQL work).
_RANGE_ALLOWED = {
    ("agent/_config.py", "2 ** 31"),
    ("agent/_config.py", "1 << 31"),
    ("spool/_spool.py", "1 << 31"),
    ("kql/_fn_hash.py", "1 << 63"),
}


def _range_bounds(tree: ast.AST) -> list[str]:
    """The int32/int64 bounds an expression writes itself: ``2**31``, ``1 << 63``, ``2147483647``..."""
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.BinOp)
            and isinstance(node.left, ast.Constant)
            and isinstance(node.right, ast.Constant)
        ):
            base, exp = node.left.value, node.right.value
            power = isinstance(node.op, ast.Pow) and base == 2
            shift = isinstance(node.op, ast.LShift) and base == 1
            if (power or shift) and exp in _RANGE_EXPONENTS:
                found.append(ast.unparse(node))
        elif isinstance(node, ast.Constant) and type(node.value) is int and node.value in _RANGE_NUMBERS:
            found.append(ast.unparse(node))
    return found


def test_int_and_long_ranges_have_one_owner() -> None:
    """Only azlogs.schema.types writes the bounds of Kusto's int and long (gettype, the coercions and
    the wrap-around arithmetic import them), so "fits in an int" has one answer."""
    copies = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel == "schema/types.py":
            continue
        copies += [(rel, b) for b in _range_bounds(_tree(path)) if (rel, b) not in _RANGE_ALLOWED]
    assert copies == []


def test_json_kinds_have_one_owner() -> None:
    """Only azlogs.schema.coerce.json_kind names what a JSON value is ("a JSON integer ..."): validate,
    ingestion's coercion and the emulator's diagnostics said "number" in two places and "integer" in one."""
    copies = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel != "schema/coerce.py" and {"boolean", "array", "null"} <= set(_literals(path)):
            copies.append(rel)
    assert copies == []


def test_the_owner_check_sees_a_copy() -> None:
    """The check above finds the copies it looks for (the old ones of issue 13, in miniature)."""
    old = ast.parse(
        '_CONVERTIBLE = {("int", "long"), ("long", "real")}\n'
        "_ADAPT = {(_T.INT, _T.LONG): None, (_T.STRING, _T.GUID): None}\n"
    )
    assert [n for _, n in _type_pairs(old)] == [2, 2]
    assert _DATE_REGEX.search(r"^\s*([0-9]{4})-([0-9]{1,2})")
    assert _DATE_REGEX.search(r"\s*(\d{4})-(\d{2})")
    bounds = ast.parse('"long" if not -(2**31) <= v < 2**31 else "int"\nok = -(1 << 63), 2147483647, 2**40')
    assert sorted(_range_bounds(bounds)) == ["1 << 63", "2 ** 31", "2 ** 31", "2147483647"]
