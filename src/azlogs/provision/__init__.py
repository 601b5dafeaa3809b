"""provision: a custom table, its DCR (and DCE) and the role assignment, through ARM; idempotent.

Also ``migrate``: a classic (Data Collector API) table to a DCR that accepts the legacy payload.

Not pure: it talks to ARM over HTTPS (Azure's, or the emulator's with the same calls). The decisions
(create vs merge, what a type change means) are pure functions in ``_merge``; the ARM client is a
thin seam with one transport for tests.
"""

from azlogs.provision._arm import ArmClient
from azlogs.provision._merge import Mode, Spec
from azlogs.provision._migrate import (
    LegacyMapping,
    MigrationPlan,
    MigrationResult,
    legacy_mapping,
    migrate_table,
    plan_migration,
)
from azlogs.provision._provision import Change, ProvisionRequest, ProvisionResult, assign_role, provision
from azlogs.provision._spec import (
    Samples,
    read_samples,
    schema_document,
    spec_from_columns,
    spec_from_document,
    spec_from_samples,
)
from azlogs.provision._target import (
    ArmTarget,
    DcrLookup,
    arm_credential,
    emulator_arm,
    emulator_credential,
    find_dcr,
    is_immutable_id,
    output_tables,
    subscription_from_claims,
)

__all__ = [
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
]
