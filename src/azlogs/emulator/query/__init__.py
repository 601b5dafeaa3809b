"""The Log Analytics query API of the emulator (``/query/v1/...`` and ``/v1/...``) over the workspace store."""

from azlogs.emulator.query.plane import StoreProvider, parse_timespan, routes

__all__ = ["StoreProvider", "parse_timespan", "routes"]
