"""Fixtures for the schema tests: fresh copies of the shared ARM bodies."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from schema_bodies import DCR_BODY, PASSTHROUGH_DCR_BODY, TABLE_BODY


@pytest.fixture
def table_body() -> dict[str, Any]:
    """A fresh copy of the minimal custom table body."""
    return copy.deepcopy(TABLE_BODY)


@pytest.fixture
def dcr_body() -> dict[str, Any]:
    """A fresh copy of the docs' Direct DCR body."""
    return copy.deepcopy(DCR_BODY)


@pytest.fixture
def passthrough_body() -> dict[str, Any]:
    """A fresh copy of the pass-through DCR body."""
    return copy.deepcopy(PASSTHROUGH_DCR_BODY)
