"""Doctor's vocabulary: a step (ok, failed or skipped, with the fix) and the report of all steps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["DoctorReport", "Status", "Step"]

Status = Literal["ok", "failed", "skipped"]


@dataclass
class Step:
    """One link of the chain from identity to ingestion.

    Attributes:
        name: what was checked, in the field's words (``token``, ``role``, ``Arc key file`` ...).
        status: ``ok``, ``failed`` or ``skipped`` (not applicable here, or not checkable).
        detail: what was found (names the thing: URL, DCR id, object id, file).
        fix: for a failed step, what to do.
        data: facts for ``--json`` (claims, ids); never a token or secret.
    """

    name: str
    status: Status
    detail: str
    fix: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The step as a JSON object."""
        out: dict[str, Any] = {"step": self.name, "status": self.status, "detail": self.detail}
        if self.fix:
            out["fix"] = self.fix
        if self.data:
            out["data"] = self.data
        return out


@dataclass
class DoctorReport:
    """Every step, in the order the chain is walked."""

    steps: list[Step] = field(default_factory=list)

    def add(self, step: Step) -> Step:
        """Append a step and return it."""
        self.steps.append(step)
        return step

    def step(self, name: str) -> Step | None:
        """The step called ``name``, or None."""
        return next((s for s in self.steps if s.name == name), None)

    @property
    def failed(self) -> list[Step]:
        """The failed steps."""
        return [s for s in self.steps if s.status == "failed"]

    @property
    def ok(self) -> bool:
        """True when no step failed."""
        return not self.failed

    def to_json(self) -> dict[str, Any]:
        """The report as a JSON object."""
        return {"ok": self.ok, "steps": [s.to_json() for s in self.steps]}
