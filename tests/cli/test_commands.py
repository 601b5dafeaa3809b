"""The group lists every command and loads each from its module when asked (azlogs.cli._COMMANDS)."""

from __future__ import annotations

import subprocess
import sys

import click

from azlogs.cli import _COMMANDS, main


def test_every_listed_command_loads_under_its_name() -> None:
    """Each name the group lists (what --help shows) gives the command of that name, with its own help."""
    ctx = click.Context(main)
    names = main.list_commands(ctx)
    assert names == sorted(_COMMANDS)
    for name in names:
        command = main.get_command(ctx, name)
        assert command is not None, name
        assert command.name == name and command.help
    assert main.get_command(ctx, "no-such-command") is None


def test_starting_the_cli_imports_no_command_module() -> None:
    """Importing azlogs.cli loads no command's module: `azlogs send` does not pay for doctor's or the KQL
    engine's imports, and a command's module loads when that command runs."""
    code = (
        "import sys; import azlogs.cli; "
        "print(sorted(m for m in sys.modules if m.startswith('azlogs.cli.') and m != 'azlogs.cli._exit'))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
