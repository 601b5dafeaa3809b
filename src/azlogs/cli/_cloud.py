"""The ``--cloud`` option shared by send, token, doctor, query, provision and validate."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from azlogs.auth.clouds import CLOUD_ENV, CLOUDS

F = TypeVar("F", bound=Callable[..., Any])

HELP = (
    f"Azure cloud: {', '.join(c.name for c in CLOUDS)}, or the JSON file of a custom cloud "
    f"[env {CLOUD_ENV}; default: the endpoint's cloud, else AzurePublic]."
)


def cloud_option(func: F) -> F:
    """Add ``--cloud`` (None when not given: azlogs.auth.clouds.resolve_cloud decides)."""
    return click.option("--cloud", default=None, metavar="CLOUD", help=HELP)(func)
