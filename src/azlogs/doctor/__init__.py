"""doctor: walk the chain from identity to ingestion, and say per step what works and what to fix.

Not pure: it asks the host's identity endpoint, resolves and connects to the endpoint, reads ARM,
and posts to the ingestion API. Every network access has a seam for tests (see :func:`run_doctor`).
"""

from __future__ import annotations

from azlogs.doctor._checks import (
    arc_key_step,
    bypasses_proxy,
    can_read,
    endpoint_steps,
    imds_step,
    proxy_step,
)
from azlogs.doctor._doctor import DoctorOptions, run_doctor
from azlogs.doctor._report import DoctorReport, Status, Step
from azlogs.doctor._roles import INGEST_DATA_ACTION, RoleCheck, check_role, grants

__all__ = [
    "INGEST_DATA_ACTION",
    "DoctorOptions",
    "DoctorReport",
    "RoleCheck",
    "Status",
    "Step",
    "arc_key_step",
    "bypasses_proxy",
    "can_read",
    "check_role",
    "endpoint_steps",
    "grants",
    "imds_step",
    "proxy_step",
    "run_doctor",
]
