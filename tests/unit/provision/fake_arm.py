"""An in-memory ARM for unit tests, served through httpx.MockTransport (the client's only seam)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
from azure.core.credentials import AccessToken

from azlogs.provision import ArmClient, ArmTarget
from azlogs.schema.template import MONITORING_METRICS_PUBLISHER_ROLE_ID

SUB = "00000000-1111-2222-3333-444444444444"
RG = "rg-test"
WS = f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.OperationalInsights/workspaces/law"
ARM = "https://arm.test"
OID = "5f0c2b3a-1111-4222-8333-944445555666"
MMP = MONITORING_METRICS_PUBLISHER_ROLE_ID
TARGET = ArmTarget(ARM, SUB, RG, WS)


def make_jwt(claims: dict[str, Any]) -> str:
    import base64

    def seg(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(orjson.dumps(obj)).rstrip(b"=").decode()

    return f"{seg({'alg': 'RS256'})}.{seg(claims)}.c2ln"


class FakeCredential:
    """Counts token requests; the token carries an oid."""

    def __init__(self, oid: str = OID) -> None:
        self.oid = oid
        self.scopes: list[str] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.scopes.extend(scopes)
        token = make_jwt({"oid": self.oid, "aud": scopes[0].removesuffix("/.default"), "idtyp": "app"})
        return AccessToken(token, int(time.time()) + 3600)


@dataclass
class FakeArm:
    """Resources by lower-cased id; records every request; optional scripted answers and delays."""

    docs: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)
    updating_reads: int = 0  # GETs after a PUT that still say provisioningState Updating
    scripted: list[httpx.Response] = field(default_factory=list)  # answered first, in order
    forbid_list: bool = False
    _pending: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.docs.setdefault(
            WS.lower(), {"id": WS, "name": "law", "location": "westeurope", "properties": {}}
        )

    @property
    def puts(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == "PUT"]

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.scripted:
            return self.scripted.pop(0)
        path = request.url.path
        key = path.lower()
        if request.method == "PUT":
            return self._put(path, key, orjson.loads(request.content))
        if request.method == "GET":
            if key.endswith("/providers/microsoft.authorization/roleassignments"):
                return self._list_roles(path, request)
            if key.endswith("/providers/microsoft.insights/datacollectionrules"):
                dcrs = [d for k, d in self.docs.items() if "/datacollectionrules/" in k]
                return httpx.Response(200, json={"value": dcrs})
            doc = self.docs.get(key)
            if doc is None:
                return httpx.Response(
                    404, json={"error": {"code": "ResourceNotFound", "message": f"{path} not found"}}
                )
            if self._pending.get(key, 0) > 0:
                self._pending[key] -= 1
                return httpx.Response(
                    200, json={**doc, "properties": {**doc["properties"], "provisioningState": "Updating"}}
                )
            return httpx.Response(200, json=doc)
        return httpx.Response(405)

    def _put(self, path: str, key: str, body: dict[str, Any]) -> httpx.Response:
        existing = self.docs.get(key)
        doc: dict[str, Any] = {"id": path, "name": path.rsplit("/", 1)[-1], **body}
        props = dict(doc.get("properties") or {})
        if "/datacollectionrules/" in key:
            props["immutableId"] = (existing or {}).get("properties", {}).get(
                "immutableId"
            ) or f"dcr-{uuid.uuid4().hex}"
            props["endpoints"] = {
                "logsIngestion": f"https://{doc['name']}.westeurope-1.ingest.monitor.azure.com"
            }
        if "/datacollectionendpoints/" in key:
            props["logsIngestion"] = {
                "endpoint": f"https://{doc['name']}.westeurope-1.ingest.monitor.azure.com"
            }
        if "/roleassignments/" in key:
            props["scope"] = path.split("/providers/Microsoft.Authorization/")[0]
            same = [
                d
                for d in self.docs.values()
                if "/roleassignments/" in d["id"].lower()
                and d["properties"]["principalId"] == props["principalId"]
                and d["properties"]["scope"].lower() == props["scope"].lower()
            ]
            if same and existing is None:
                return httpx.Response(
                    409,
                    json={
                        "error": {
                            "code": "RoleAssignmentExists",
                            "message": "The role assignment already exists.",
                        }
                    },
                )
        props["provisioningState"] = "Succeeded"
        doc["properties"] = props
        self.docs[key] = doc
        self._pending[key] = self.updating_reads
        return httpx.Response(200 if existing else 201, json=doc)

    def _list_roles(self, path: str, request: httpx.Request) -> httpx.Response:
        if self.forbid_list:
            return httpx.Response(403, json={"error": {"code": "AuthorizationFailed", "message": "no"}})
        scope = path.split("/providers/Microsoft.Authorization/")[0].lower()
        found = [
            d
            for d in self.docs.values()
            if "/roleassignments/" in d["id"].lower()
            and (
                scope == d["properties"]["scope"].lower()
                or scope.startswith(d["properties"]["scope"].lower() + "/")
            )
        ]
        return httpx.Response(200, json={"value": found})

    def add_assignment(self, scope: str, principal: str, role: str = MMP, name: str | None = None) -> str:
        rid = f"{scope}/providers/Microsoft.Authorization/roleAssignments/{name or uuid.uuid4()}"
        self.docs[rid.lower()] = {
            "id": rid,
            "name": rid.rsplit("/", 1)[-1],
            "properties": {
                "scope": scope,
                "principalId": principal,
                "roleDefinitionId": f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{role}",
            },
        }
        return rid

    def client(self, **kw: Any) -> ArmClient:
        kw.setdefault("sleep", lambda s: None)
        return ArmClient(ARM, FakeCredential(), transport=httpx.MockTransport(self.handler), **kw)
