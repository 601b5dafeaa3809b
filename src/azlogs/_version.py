"""The package's version: its one owner (pyproject.toml, ``azlogs --version`` and the User-Agent read it)."""

__version__ = "0.1.0"
