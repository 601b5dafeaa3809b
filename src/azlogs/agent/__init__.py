"""The azlogs agent: tail files (or stdin), take HTTP posts (JSON, or legacy Data Collector API
senders), spool durably, ship to Azure Monitor with managed identity.

::

    from azlogs.agent import Agent, load_config

    agent = Agent(load_config("/etc/azlogs/agent.toml"))
    agent.install_signals()
    agent.run()            # until SIGTERM: drains for drain_timeout, keeps the rest spooled

Delivery is at-least-once. A record can arrive twice only after a crash (SIGKILL, power loss) in
one of two short windows: after the service answered 204 for its batch and before the spool's ack
was durable, or after its line was spooled and before the input's checkpoint was durable. Both
repeat the same line with the same id column value (``<fid>-<offset>``), so duplicates are
countable downstream. See docs/agent.md.
"""

from azlogs.agent._agent import Agent, route_of, routes_of
from azlogs.agent._config import AgentConfig, InputConfig, SenderConfig, SpoolConfig, load_config
from azlogs.agent._logging import setup_logging

__all__ = [
    "Agent",
    "AgentConfig",
    "InputConfig",
    "SenderConfig",
    "SpoolConfig",
    "load_config",
    "route_of",
    "routes_of",
    "setup_logging",
]
