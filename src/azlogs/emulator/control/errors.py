"""ARM error answers: one exception type carrying status, code, message and details, in ARM's shape.

Messages copy ARM's own wording where it is known (``ResourceNotFound``, ``ParentResourceNotFound``,
``ResourceGroupNotFound``, ``AuthorizationFailed`` ...), so scripts that match on them behave the
same against the emulator.
"""

from __future__ import annotations

from typing import Any

from azlogs.schema.errors import ArmValidationError, to_arm_error


class ArmError(Exception):
    """An ARM error response: ``{"error": {"code", "message", ["target"], ["details"]}}``."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        details: list[dict[str, Any]] | None = None,
        target: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.target = target
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        err: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.target is not None:
            err["target"] = self.target
        if self.details is not None:
            err["details"] = self.details
        return {"error": err}

    @classmethod
    def from_validation(cls, exc: ArmValidationError) -> ArmError:
        """A 400 whose body is schema's ARM rendering of ``exc`` (code, message, every detail)."""
        err = to_arm_error(exc)["error"]
        return cls(400, err["code"], err["message"], details=err["details"])

    def describe(self) -> str:
        """One readable line per problem, for logs and start-up errors."""
        lines = [f"{self.code}: {self.message}"]
        for d in self.details or []:
            where = f" at {d['target']}" if d.get("target") else ""
            lines.append(f"  - {d.get('code')}{where}: {d.get('message')}")
        return "\n".join(lines)


def resource_not_found(rtype: str, names: tuple[str, ...], resource_group: str) -> ArmError:
    namespace, *types = rtype.split("/")
    path = "/".join(f"{t}/{n}" for t, n in zip(types, names, strict=False))
    return ArmError(
        404,
        "ResourceNotFound",
        f"The Resource '{namespace}/{path}' under resource group '{resource_group}' was not found. "
        "For more details please go to https://aka.ms/ARMResourceNotFoundFix",
    )


def parent_not_found(verb: str, child_type: str, parent_id: str) -> ArmError:
    return ArmError(
        404,
        "ParentResourceNotFound",
        f"Failed to perform '{verb}' on resource(s) of type '{child_type}', because the parent "
        f"resource '{parent_id}' could not be found.",
    )


def resource_group_not_found(resource_group: str) -> ArmError:
    return ArmError(404, "ResourceGroupNotFound", f"Resource group '{resource_group}' could not be found.")


def subscription_not_found(subscription: str) -> ArmError:
    return ArmError(404, "SubscriptionNotFound", f"The subscription '{subscription}' could not be found.")


def invalid_content(reason: str) -> ArmError:
    return ArmError(
        400,
        "InvalidRequestContent",
        f"The request content was invalid and could not be deserialized: '{reason}'.",
    )


def bad_request(code: str, message: str, target: str | None = None) -> ArmError:
    return ArmError(400, code, message, target=target)
