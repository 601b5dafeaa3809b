"""The public surface of azlogs is pinned: it changes only on purpose."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import azlogs


def test_public_names_are_pinned() -> None:
    """azlogs.__all__ is exactly the curated list, and every name resolves."""
    assert sorted(azlogs.__all__) == sorted(
        [
            "ArmRequestError",
            "ArmValidationError",
            "AsyncLogsClient",
            "AuthError",
            "AzlogsError",
            "ConfigError",
            "DeadlineExceeded",
            "EmulatorError",
            "EndpointError",
            "FailedRecord",
            "IdentitySourceError",
            "InputError",
            "JsonLine",
            "KqlError",
            "KqlLimitError",
            "KqlTimeoutError",
            "LogsClient",
            "LogsIngestionHandler",
            "NotSentError",
            "OversizeBody",
            "PermanentServiceError",
            "RecordEncodeError",
            "RetryPolicy",
            "RetryableServiceError",
            "SchemaError",
            "ServiceError",
            "SpoolError",
            "SpoolFullError",
            "SpoolStorageError",
            "TlsVerifyError",
            "TokenRequestError",
            "TransportError",
            "UploadError",
            "UploadResult",
            "UsageError",
            "__version__",
        ]
    )
    for name in azlogs.__all__:
        assert getattr(azlogs, name) is not None


def test_the_whole_error_tree_lives_in_one_module() -> None:
    """Every azlogs error class (a subclass of AzlogsError anywhere in the package) is defined in
    azlogs._exceptions, drawn in its docstring and exported from azlogs: one tree, one place."""
    import importlib
    import pkgutil

    import azlogs._exceptions as tree

    for info in pkgutil.walk_packages(azlogs.__path__, "azlogs."):
        if info.name.startswith(("azlogs.cli", "azlogs.emulator")):
            continue  # the emulator's own refusals are HTTP answers, not errors a user catches
        importlib.import_module(info.name)

    def subclasses(cls: type) -> set[type]:
        out = set(cls.__subclasses__())
        for sub in list(out):
            out |= subclasses(sub)
        return out

    classes = subclasses(azlogs.AzlogsError) | {azlogs.AzlogsError}
    outside = sorted(f"{c.__module__}.{c.__qualname__}" for c in classes if c.__module__ != tree.__name__)
    assert outside == []
    assert tree.__doc__ is not None
    for cls in classes:
        assert cls.__name__ in tree.__doc__, f"{cls.__name__} is missing from the tree in the docstring"
        assert getattr(azlogs, cls.__name__) is cls
        assert cls.__name__ in azlogs.__all__


def test_client_side_never_imports_the_emulator() -> None:
    """Importing azlogs and its client parts loads nothing of azlogs.emulator, uvicorn or starlette."""
    import subprocess
    import sys

    code = (
        "import sys, azlogs, azlogs.auth, azlogs.ingest, azlogs.ingest.readers, azlogs.schema, azlogs.spool, azlogs.kql;"
        "bad=[m for m in sys.modules if m.startswith(('azlogs.emulator','azlogs.cli','uvicorn','starlette'))];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


SRC = Path(__file__).resolve().parents[2] / "src" / "azlogs"


def _imports(package: str) -> set[tuple[str, str]]:
    """(file, imported module) for every import statement in a package of src/azlogs."""
    out = set()
    for path in (SRC / package).rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                out |= {(path.name, a.name) for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                out.add((path.name, node.module))
    return out


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        (
            "kql",
            (
                "httpx",
                "azlogs.emulator",
                "azlogs.cli",
                "azlogs.agent",
                "azlogs.spool",
                "azlogs.ingest",
                "socket",
            ),
        ),
        (
            "schema",
            (
                "httpx",
                "azlogs.emulator",
                "azlogs.cli",
                "azlogs.agent",
                "azlogs.spool",
                "azlogs.ingest",
                "socket",
            ),
        ),
        ("auth", ("azlogs.emulator", "azlogs.cli")),
        ("ingest", ("azlogs.emulator", "azlogs.cli")),
        ("spool", ("azlogs.emulator", "azlogs.cli")),
        ("agent", ("azlogs.emulator", "azlogs.cli")),
        ("emulator", ("azlogs.cli", "azlogs.agent", "azlogs.spool")),
    ],
)
def test_house_rules_on_imports(package: str, forbidden: tuple[str, ...]) -> None:
    """DESIGN.md's import rules hold: pure packages stay pure, the client never needs the emulator."""
    bad = sorted((f, m) for f, m in _imports(package) if m.startswith(forbidden))
    assert bad == []


def test_nothing_imports_the_cli() -> None:
    """Only the CLI imports the CLI."""
    for package in ("kql", "schema", "auth", "ingest", "spool", "agent", "emulator", "query"):
        assert [(f, m) for f, m in _imports(package) if m.startswith("azlogs.cli")] == []
