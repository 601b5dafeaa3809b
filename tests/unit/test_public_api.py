"""The public surface of azlogs is pinned: it changes only on purpose."""

from __future__ import annotations

import ast
import re
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


# Each package's curated surface: what users (and the other packages) need. Names only tests use stay
# in the private modules; errors are exported once, from azlogs.
PACKAGE_API: dict[str, list[str]] = {
    "otel": ["OtlpDecodeError", "TABLE_COLUMNS", "decode"],
    "auth": [
        "AZURE_CHINA",
        "AZURE_PUBLIC",
        "AZURE_US_GOVERNMENT",
        "AsyncTokenCache",
        "CLOUDS",
        "Choice",
        "Cloud",
        "Detection",
        "Token",
        "TokenCache",
        "SOURCES",
        "choose",
        "decode_claims",
        "describe_expiry",
        "detect",
        "get_cloud",
        "get_token",
        "resolve_cloud",
        "shown_claims",
    ],
    "ingest": [
        "AsyncLogsClient",
        "DryRun",
        "FailedRecord",
        "Fault",
        "JsonLine",
        "LogsClient",
        "LogsIngestionHandler",
        "RECORD_TOO_LARGE",
        "RetryPolicy",
        "SentFiles",
        "Target",
        "UploadError",
        "UploadResult",
        "Verdict",
        "classify_answer",
        "diagnose",
        "dry_run_files",
        "ingestion_url",
        "read_answer",
        "send_files",
    ],
    "schema": [
        "ArmErrorDetail",
        "ArmValidationError",
        "Column",
        "ColumnType",
        "DataCollectionRule",
        "DataFlow",
        "InferredSchema",
        "LogAnalyticsDestination",
        "PipelineSpec",
        "Rename",
        "StreamDeclaration",
        "TableSchema",
        "Vocabulary",
        "arm_template",
        "bicep_template",
        "infer_schema",
        "validate_dcr",
        "validate_table",
    ],
    "kql": [
        "Budget",
        "MemoryProvider",
        "PartialFailure",
        "Query",
        "QueryResult",
        "ResultTable",
        "TableProvider",
        "TransformResult",
        "Transformation",
        "Visualization",
        "approx_size",
        "check",
        "compile_transformation",
        "format_timespan",
        "parse",
        "run_query",
        "visualization",
    ],
    "spool": [
        "Batch",
        "FsyncPolicy",
        "FullPolicy",
        "OsStorage",
        "Spool",
        "SpoolProblem",
        "SpoolStats",
        "Storage",
        "StorageFile",
    ],
    "agent": [
        "Agent",
        "AgentConfig",
        "InputConfig",
        "SenderConfig",
        "SpoolConfig",
        "load_config",
        "route_of",
        "routes_of",
        "setup_logging",
    ],
    "provision": [
        "ArmClient",
        "ArmTarget",
        "Change",
        "DcrLookup",
        "LegacyMapping",
        "MigrationPlan",
        "MigrationResult",
        "Mode",
        "ProvisionRequest",
        "ProvisionResult",
        "Samples",
        "Spec",
        "arm_credential",
        "assign_role",
        "emulator_arm",
        "emulator_credential",
        "find_dcr",
        "is_immutable_id",
        "legacy_mapping",
        "migrate_table",
        "output_tables",
        "plan_migration",
        "provision",
        "read_samples",
        "schema_document",
        "spec_from_columns",
        "spec_from_document",
        "spec_from_samples",
        "subscription_from_claims",
    ],
    "doctor": [
        "DoctorOptions",
        "DoctorReport",
        "Status",
        "Step",
        "explain",
        "parse_since",
        "run_doctor",
    ],
    "query": [
        "QueryTable",
        "query_workspace",
    ],
    "emulator": [],
}


@pytest.mark.parametrize("package", sorted(PACKAGE_API))
def test_each_package_all_is_pinned_and_is_exactly_its_public_names(package: str) -> None:
    """Each package's __all__ is its pinned list, and equals the public names it holds (as httpx checks
    its own): nothing importable from the package without being in __all__, nothing listed that is missing."""
    import importlib
    import types

    module = importlib.import_module(f"azlogs.{package}")
    public = sorted(
        name
        for name, value in vars(module).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)  # submodules are modules
    )
    assert sorted(module.__all__) == sorted(PACKAGE_API[package])
    assert sorted(module.__all__) == public


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
    """Importing azlogs and its client parts loads nothing of azlogs.emulator, uvicorn or starlette; nor do
    the tools that read emulator.json (azlogs.discovery, doctor, provision)."""
    import subprocess
    import sys

    code = (
        "import sys, azlogs, azlogs.auth, azlogs.ingest, azlogs.ingest.readers, azlogs.schema, azlogs.spool, azlogs.kql;"
        "import azlogs.discovery, azlogs.doctor, azlogs.provision;"
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
        ("otel", ("azlogs.emulator", "azlogs.cli", "azlogs.agent", "azlogs.spool", "socket")),
        ("emulator", ("azlogs.cli", "azlogs.agent", "azlogs.spool")),
    ],
)
def test_house_rules_on_imports(package: str, forbidden: tuple[str, ...]) -> None:
    """DESIGN.md's import rules hold: pure packages stay pure, the client never needs the emulator."""
    bad = sorted((f, m) for f, m in _imports(package) if m.startswith(forbidden))
    assert bad == []


# The house's shared private modules, which every package may import.
SHARED_PRIVATE = ("azlogs._exceptions", "azlogs._http", "azlogs._version")


def _private_imports_across_packages() -> list[tuple[str, str]]:
    """(file, module) where a file imports a private module of a package other than its own."""
    bad = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC)
        own = rel.parts[0] if len(rel.parts) > 1 else None
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules = [node.module] + [
                    f"{node.module}.{a.name}" for a in node.names if a.name.startswith("_")
                ]
            else:
                continue
            for module in modules:
                parts = module.split(".")
                if parts[0] != "azlogs" or len(parts) < 2 or module.startswith(SHARED_PRIVATE):
                    continue
                if parts[1].startswith("_") and parts[1] != "__version__":
                    bad.append((str(rel), module))  # a private top-level module
                elif parts[1] != own and any(p.startswith("_") for p in parts[2:]):
                    bad.append((str(rel), module))
    return sorted(set(bad))


def test_no_package_imports_another_packages_private_module() -> None:
    """A package reaches another one through its public API (its __init__ or public modules); only
    azlogs._exceptions, azlogs._http and azlogs._version are shared private modules."""
    assert _private_imports_across_packages() == []


def test_nothing_imports_the_cli() -> None:
    """Only the CLI imports the CLI."""
    for package in ("kql", "schema", "auth", "ingest", "spool", "agent", "emulator", "query"):
        assert [(f, m) for f, m in _imports(package) if m.startswith("azlogs.cli")] == []


def test_comments_name_no_file_missing_from_the_repository() -> None:
    """Source comments cite Microsoft Learn pages or files of this repository, never notes kept outside it."""
    root = SRC.parents[1]
    for path in SRC.rglob("*.py"):
        text = path.read_text()
        for name in ("protocols.md", "client-anchors.md", "values.md"):
            assert name not in text, f"{path.relative_to(root)} cites {name}, which is not in the repository"
        # the team's notes (shared/reference/...), not a Learn path such as azure-monitor/reference/tables
        assert not re.search(r"(?<![\w/-])(shared/)?reference/[\w-]+\.md", text), (
            f"{path.relative_to(root)} cites a reference/ note, which is not in the repository"
        )
        for cited in re.findall(r"\bdocs/[\w-]+\.md\b", text):
            assert (root / cited).is_file(), f"{path.relative_to(root)} cites {cited}, which does not exist"


def test_the_version_has_one_owner() -> None:
    """azlogs._version owns the version: the package, pyproject and the User-Agent read it."""
    from azlogs._http import USER_AGENT
    from azlogs._version import __version__

    root = SRC.parents[1]
    assert azlogs.__version__ == __version__
    assert USER_AGENT.startswith(f"azlogs/{__version__} ")
    assert 'version = {attr = "azlogs._version.__version__"}' in (root / "pyproject.toml").read_text()
    literal = f'"{__version__}"'
    owners = [p.name for p in SRC.rglob("*.py") if literal in p.read_text()]
    assert owners == ["_version.py"]


def test_the_dead_letter_format_has_one_owner() -> None:
    """Only azlogs.ingest.deadletter spells the dead-letter entry's byte fields; send and the agent use it."""
    spelled = {
        str(p.relative_to(SRC))
        for p in SRC.rglob("*.py")
        if re.search(r"[\"'](raw_base64|raw_latin1|raw_truncated|line_bytes)[\"']", p.read_text())
    }
    assert spelled == {"ingest/deadletter.py"}
