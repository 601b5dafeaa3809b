"""doctor: walk the chain from identity to ingestion, and say per step what works and what to fix.

Not pure: it asks the host's identity endpoint, resolves and connects to the endpoint, reads ARM,
and posts to the ingestion API. Every network access has a seam for tests (see :func:`run_doctor`).
With ``since`` it also reads what Azure recorded as dropped (DCRLogErrors, DCR metrics; :mod:`._dropped`).
"""

from azlogs.doctor._doctor import DoctorOptions, run_doctor
from azlogs.doctor._dropped import explain, parse_since
from azlogs.doctor._report import DoctorReport, Status, Step

__all__ = [
    "DoctorOptions",
    "DoctorReport",
    "Status",
    "Step",
    "explain",
    "parse_since",
    "run_doctor",
]
