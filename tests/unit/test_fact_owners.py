"""One owner per fact: cloud hosts and audiences live in azlogs.auth.clouds, role ids in azlogs.facts."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "azlogs"

# What each owner alone may write as a string literal (docstrings and comments do not count).
OWNED = {
    "auth/clouds.py": (
        "://monitor.azure.",
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


def _literals(path: Path) -> list[str]:
    """String constants of a module, without docstrings."""
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


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
