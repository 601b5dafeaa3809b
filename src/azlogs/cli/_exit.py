"""The one way an ``azlogs`` command ends with a status other than 0.

0 ok, 1 failure of the work, 2 usage (see :mod:`azlogs._exceptions` for the codes of errors). A
command that finished its output and must report failure calls :func:`exit_with`; an error raised
from the library reaches the group, which prints it and calls :func:`exit_with` with its code.
"""

from __future__ import annotations

from typing import NoReturn

import click

OK = 0
FAILED = 1
USAGE = 2


def exit_with(code: int) -> NoReturn:
    """End the command now with ``code``, after anything it has already printed."""
    raise click.exceptions.Exit(code)
