"""The subscription's resource providers: ``GET /subscriptions/{sub}/providers[/{namespace}]``, ``POST .../register``.

What Terraform's azurerm provider, ``az provider show`` and SDK code read before they create resources.
The shape is the REST spec's (``Providers_Get``/``Providers_List`` examples in azure-rest-api-specs
``specification/resources/resource-manager/Microsoft.Resources/stable/.../examples/GetProvider.json``):
``id``, ``namespace``, ``registrationState``, ``registrationPolicy`` and ``resourceTypes`` with their
``locations`` and ``apiVersions``. Every namespace the emulator serves is ``Registered`` (registering is
a no-op that answers the provider); an unknown one is ``404 InvalidResourceNamespace``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from azlogs.emulator.control import ids
from azlogs.emulator.control.errors import ArmError
from azlogs.emulator.control.state import ArmState

Result = tuple[int, dict[str, Any]]


def _namespaces(
    api_versions: Mapping[str, tuple[str, ...]],
) -> dict[str, tuple[str, dict[str, tuple[str, ...]]]]:
    """Namespace (folded) -> (its spelling, resource type -> api-versions), from the routes' own table."""
    out: dict[str, tuple[str, dict[str, tuple[str, ...]]]] = {}
    for rtype, versions in api_versions.items():
        namespace, _, rest = rtype.partition("/")
        out.setdefault(namespace.lower(), (namespace, {}))[1][rest] = versions
    return out


def _doc(state: ArmState, canonical: str, types: Mapping[str, tuple[str, ...]]) -> dict[str, Any]:
    sub = state.ctx.tenant.subscription_id
    return {
        "id": f"/subscriptions/{sub}/providers/{canonical}",
        "namespace": canonical,
        "registrationState": "Registered",
        "registrationPolicy": "RegistrationRequired",
        "resourceTypes": [
            {
                "resourceType": rtype,
                "locations": [state.ctx.tenant.location],
                "apiVersions": list(reversed(versions)),
            }
            for rtype, versions in types.items()
        ],
    }


def read(state: ArmState, target: ids.Target, api_versions: Mapping[str, tuple[str, ...]]) -> Result:
    """The provider list, one provider, or (POST register/unregister) the provider as registered."""
    known = _namespaces(api_versions)
    if target.is_list:
        value = [_doc(state, name, types) for name, types in known.values()]
        return 200, {"value": value}
    namespace = target.name.lower()
    if namespace not in known:
        raise ArmError(404, "InvalidResourceNamespace", f"The resource namespace '{target.name}' is invalid.")
    return 200, _doc(state, *known[namespace])
