"""The documented DCR transformation corpus (tests/unit/kql/corpus/*.yaml), run case by case."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from azlogs import KqlError
from azlogs.kql import compile_transformation
from azlogs.kql._values import parse_datetime
from tests.unit.kql._helpers import coerce, plain

CORPUS = Path(__file__).parent / "corpus"


def _cases() -> list[Any]:
    out = []
    for path in sorted(CORPUS.glob("*.yaml")):
        case = yaml.safe_load(path.read_text(encoding="utf-8"))
        marks = [pytest.mark.xfail(strict=True, reason=case["xfail"])] if case.get("xfail") else []
        out.append(pytest.param(case, id=case["id"], marks=marks))
    return out


class TestCorpus:
    """Every corpus case either produces its expected rows or fails as documented."""

    @pytest.mark.parametrize("case", _cases())
    def test_case(self, case: dict[str, Any]) -> None:
        """The transformation gives the expected output (or the expected refusal)."""
        for key in ("id", "intent", "source", "transformKql", "input_columns"):
            assert key in case, f"corpus case lacks provenance field {key!r}"
        clock_text = case.get("clock")
        now: datetime | None = parse_datetime(clock_text) if clock_text else None
        clock = (lambda: now) if now is not None else None
        if "expect_error" in case:
            with pytest.raises(KqlError) as info:
                compile_transformation(case["transformKql"], case["input_columns"], clock=clock)
            assert case["expect_error"] in info.value.message
            assert info.value.line is not None
            if "expect_hint" in case:
                assert case["expect_hint"] in (info.value.hint or "")
            return
        t = compile_transformation(case["transformKql"], case["input_columns"], clock=clock)
        result = t.apply(coerce(case["input"], case["input_columns"]))
        assert result.errors == []
        assert [plain(r) for r in result.rows] == case["expect"]
        if "expect_columns" in case:
            assert t.output_columns == case["expect_columns"]
        assert len(t.warnings) == case.get("expect_warnings", 0), t.warnings
