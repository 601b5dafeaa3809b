"""The ``azlogs`` command line: one module per command group; errors map to exit codes here only."""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from azlogs import __version__
from azlogs._exceptions import AzlogsError
from azlogs.cli._exit import exit_with


class _Group(click.Group):
    """Maps azlogs errors to their exit codes and a message without a traceback."""

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


def _register() -> None:
    from azlogs.cli import (
        agent,
        demo,
        doctor,
        emulator,
        migrate,
        provision,
        query,
        schema,
        send,
        token,
        transform,
        validate,
    )

    main.add_command(emulator.emulator)
    main.add_command(token.token)
    main.add_command(demo.demo)
    main.add_command(send.send)
    main.add_command(agent.agent)
    main.add_command(transform.transform)
    main.add_command(query.query)
    main.add_command(schema.schema)
    main.add_command(provision.provision)
    main.add_command(migrate.migrate)
    main.add_command(validate.validate)
    main.add_command(doctor.doctor)


_register()

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
