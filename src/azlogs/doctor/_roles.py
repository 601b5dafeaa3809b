"""Does a principal hold the data action the ingestion API checks, on the DCR or above? Read through ARM.

Monitoring Metrics Publisher grants ``Microsoft.Insights/Telemetry/Write``; a custom role may grant it
too, so the definitions of the other roles assigned to the principal are read and their
``dataActions`` matched (``*`` wildcards, case-insensitive, ``notDataActions`` subtracted).
Owner and Contributor do not grant it: their ``*`` is a control-plane action.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from azlogs._exceptions import ArmRequestError, AuthError, TransportError
from azlogs.provision import ArmClient
from azlogs.schema.template import MONITORING_METRICS_PUBLISHER_ROLE_ID, ROLE_ASSIGNMENT_API_VERSION

__all__ = ["INGEST_DATA_ACTION", "RoleCheck", "check_role", "grants"]

INGEST_DATA_ACTION: Final = "Microsoft.Insights/Telemetry/Write"


@dataclass(frozen=True)
class RoleCheck:
    """``readable``: ARM answered; ``granted``: some assignment covers the data action; ``detail``: which."""

    readable: bool
    granted: bool
    detail: str


def _matches(pattern: str, action: str) -> bool:
    regex = ".*".join(re.escape(p) for p in pattern.lower().split("*"))
    return re.fullmatch(regex, action.lower()) is not None


def grants(definition: dict[str, Any], action: str = INGEST_DATA_ACTION) -> bool:
    """Whether a role definition (ARM JSON) grants the data action ``action``."""
    for perm in (definition.get("properties") or {}).get("permissions") or []:
        allow = [p for p in perm.get("dataActions") or [] if isinstance(p, str)]
        deny = [p for p in perm.get("notDataActions") or [] if isinstance(p, str)]
        if any(_matches(p, action) for p in allow) and not any(_matches(p, action) for p in deny):
            return True
    return False


def _covers(scope: str, resource_id: str) -> bool:
    s = scope.lower().rstrip("/")
    r = resource_id.lower().rstrip("/")
    return s == "" or r == s or r.startswith(s + "/")


def check_role(arm: ArmClient, dcr_id: str, principal_id: str) -> RoleCheck:
    """Whether ``principal_id`` may ingest into the DCR ``dcr_id``, from its role assignments."""
    try:
        assignments = arm.list(
            f"{dcr_id}/providers/Microsoft.Authorization/roleAssignments",
            ROLE_ASSIGNMENT_API_VERSION,
            params={"$filter": f"principalId eq '{principal_id}'"},
        )
    except (ArmRequestError, AuthError, TransportError) as exc:
        return RoleCheck(
            False, False, f"role assignments not readable by this identity ({exc.message.splitlines()[0]})"
        )
    others: list[tuple[str, str]] = []
    for a in assignments:
        p = a.get("properties") or {}
        if str(p.get("principalId", "")).lower() != principal_id.lower() or not _covers(
            str(p.get("scope", "")), dcr_id
        ):
            continue
        role_def = str(p.get("roleDefinitionId") or "")
        if role_def.rsplit("/", 1)[-1].lower() == MONITORING_METRICS_PUBLISHER_ROLE_ID:
            return RoleCheck(
                True, True, f"principal {principal_id} holds Monitoring Metrics Publisher at {p.get('scope')}"
            )
        others.append((role_def, str(p.get("scope"))))
    for role_def, scope in others:
        try:
            definition = arm.get(role_def, ROLE_ASSIGNMENT_API_VERSION)
        except (ArmRequestError, AuthError, TransportError):
            continue
        if definition is not None and grants(definition):
            name = (definition.get("properties") or {}).get("roleName", role_def)
            return RoleCheck(
                True,
                True,
                f"principal {principal_id} holds {name} at {scope}, which grants {INGEST_DATA_ACTION}",
            )
    held = ", ".join(sorted({r.rsplit("/", 1)[-1] for r, _ in others})) or "none"
    return RoleCheck(
        True,
        False,
        f"principal {principal_id} has no role granting {INGEST_DATA_ACTION} on {dcr_id} or above "
        f"(roles assigned there: {held})",
    )
