"""emulator/control: the ARM subset (workspaces, tables, DCEs, DCRs, role assignments) and its state.

:func:`create_control_plane` builds the :class:`ArmState` that ``server.Emulator`` puts on
``ctx.control``; :func:`routes` gives the HTTPS routes. The other planes use only the
:class:`~azlogs.emulator.control.api.ControlPlane` Protocol that ``ArmState`` implements.
"""

from __future__ import annotations

from azlogs.emulator.control.provision import create_control_plane
from azlogs.emulator.control.routes import routes
from azlogs.emulator.control.state import ArmState

__all__ = ["ArmState", "create_control_plane", "routes"]
