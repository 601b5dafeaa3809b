"""The local emulator of every Azure endpoint azlogs talks to (``azlogs[emulator]``).

Its API is its modules, not this package: :mod:`azlogs.emulator.server` (``Emulator``,
``settings_from``) runs it in-process, :mod:`azlogs.emulator.discovery` reads ``emulator.json``.
Importing the package imports nothing else, so the CLI can read the discovery file cheaply.
"""

__all__: list[str] = []
