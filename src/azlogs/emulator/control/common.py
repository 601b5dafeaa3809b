"""Helpers shared by the resource handlers: request bodies, names, locations, system data, parents."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping
from typing import Any, Final

from azlogs.emulator.control import ids
from azlogs.emulator.control.auth import Caller
from azlogs.emulator.control.errors import (
    bad_request,
    resource_group_not_found,
    subscription_not_found,
)
from azlogs.emulator.control.state import ArmState

_NAME_RULES: Final[dict[str, tuple[re.Pattern[str], str]]] = {
    # Workspace names: 4-63 characters, letters, digits and hyphens, starting and ending alphanumeric.
    ids.WORKSPACES: (
        re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{2,61}[A-Za-z0-9]\Z"),
        "The workspace name must be 4 to 63 characters long, contain only letters, digits and "
        "hyphens, and start and end with a letter or digit.",
    ),
    # DCE names: 3-44 characters, letters, digits and hyphens.
    ids.DCES: (
        re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{1,42}[A-Za-z0-9]\Z"),
        "The data collection endpoint name must be 3 to 44 characters long and contain only letters, "
        "digits and hyphens, starting and ending with a letter or digit.",
    ),
    # DCR names: not published; ARM's generic resource-name rule. [U]
    ids.DCRS: (
        re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.()-]{0,62}\Z"),
        "The data collection rule name must be 1 to 64 characters long and contain only letters, "
        "digits, underscores, periods, parentheses and hyphens.",
    ),
    ids.RESOURCE_GROUPS: (
        re.compile(r"[\w.()-]{0,89}[\w()-]\Z"),
        "Resource group names can only include alphanumeric, underscore, parentheses, hyphen, period "
        "(except at end), and Unicode characters that match the allowed characters.",
    ),
}


def now_iso() -> str:
    """The current UTC time as ARM writes it (seven fractional digits, ``Z``)."""
    t = dt.datetime.now(dt.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond:06d}0Z"


def new_etag() -> str:
    return f'"{uuid.uuid4()}"'


def normalize_location(location: str) -> str:
    """ARM's canonical location spelling: ``East US`` -> ``eastus``."""
    return location.replace(" ", "").lower()


def system_data(caller: Caller, previous: Mapping[str, Any] | None) -> dict[str, Any]:
    """``systemData`` for a write by ``caller``; creation fields kept from ``previous``."""
    now = now_iso()
    created = previous or {"createdBy": caller.object_id, "createdByType": "Application", "createdAt": now}
    return {
        "createdBy": created.get("createdBy"),
        "createdByType": created.get("createdByType"),
        "createdAt": created.get("createdAt"),
        "lastModifiedBy": caller.object_id,
        "lastModifiedByType": "Application",
        "lastModifiedAt": now,
    }


def require_object(body: Any) -> dict[str, Any]:
    """The request body as a JSON object, else ARM's 400."""
    if not isinstance(body, dict):
        raise bad_request("InvalidRequestContent", "The request content must be a JSON object.")
    return body


def require_location(body: Mapping[str, Any]) -> str:
    location = body.get("location")
    if not isinstance(location, str) or not location.strip():
        raise bad_request("LocationRequired", "The location property is required for this definition.")
    return normalize_location(location)


def tags_of(body: Mapping[str, Any]) -> dict[str, str] | None:
    tags = body.get("tags")
    if tags is None:
        return None
    if not isinstance(tags, dict) or not all(isinstance(v, str) for v in tags.values()):
        raise bad_request("InvalidRequestContent", "'tags' must be an object whose values are strings.")
    return dict(tags)


def check_name(rtype: str, name: str) -> None:
    rule = _NAME_RULES.get(rtype)
    if rule is not None and rule[0].match(name) is None:
        raise bad_request("InvalidResourceName", f"Resource name '{name}' is invalid. {rule[1]}")


def check_subscription(state: ArmState, subscription: str | None) -> None:
    if subscription is not None and subscription.lower() != state.ctx.tenant.subscription_id.lower():
        raise subscription_not_found(subscription)


def require_resource_group(state: ArmState, subscription: str, resource_group: str) -> dict[str, Any]:
    doc = state.get(ids.rg_id(subscription, resource_group))
    if doc is None:
        raise resource_group_not_found(resource_group)
    return doc


def canonical_id(state: ArmState, target: ids.Target) -> str:
    """The id to store for a new resource: its resource group spelled as when it was created."""
    assert target.subscription is not None and target.resource_group is not None
    rg = require_resource_group(state, target.subscription, target.resource_group)
    sub = state.ctx.tenant.subscription_id
    if target.rtype == ids.RESOURCE_GROUPS:
        return str(rg["id"])
    return ids.resource_id(sub, rg["name"], target.rtype, *target.names)


def keep_or_new(existing: Mapping[str, Any] | None, target: ids.Target, state: ArmState) -> str:
    """The stored id of an existing resource (its casing wins), or the canonical id of a new one."""
    if existing is not None:
        return str(existing["id"])
    return canonical_id(state, target)
