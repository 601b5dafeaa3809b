"""The ``azlogs`` command line: one module per command group; errors map to exit codes here only."""

from __future__ import annotations

import importlib
import logging
import sys
from typing import Any

import click

from azlogs import __version__
from azlogs._exceptions import AzlogsError
from azlogs.cli._exit import exit_with


class _Group(click.Group):
    """Maps azlogs errors to their exit codes and a message without a traceback; loads each command
    from its module (``_COMMANDS``: the module defines a command of the same name) when it is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in _COMMANDS:
            module = importlib.import_module(_COMMANDS[cmd_name])
            self.add_command(getattr(module, cmd_name))
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AzlogsError as exc:
            click.echo(f"error: {exc}", err=True)
            exit_with(exc.exit_code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="azlogs")
def main() -> None:
    """Send custom logs to Azure Monitor with managed identity; run and test it all locally."""
    # azure-identity logs each failed attempt as a warning, which Python would print on stderr with no
    # handler configured; the command's own error already says why and what to do, once. (The agent
    # configures logging of its own; records still reach its handlers.)
    logging.getLogger("azure").addHandler(logging.NullHandler())


# Each command's module is imported when the command runs (or help lists it), not at every start:
# ``azlogs send`` does not load the provisioning, doctor and KQL modules that other commands need.
_COMMANDS = {
    "emulator": "azlogs.cli.emulator",
    "token": "azlogs.cli.token",
    "demo": "azlogs.cli.demo",
    "send": "azlogs.cli.send",
    "agent": "azlogs.cli.agent",
    "transform": "azlogs.cli.transform",
    "query": "azlogs.cli.query",
    "schema": "azlogs.cli.schema",
    "provision": "azlogs.cli.provision",
    "migrate": "azlogs.cli.migrate",
    "validate": "azlogs.cli.validate",
    "doctor": "azlogs.cli.doctor",
}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
