"""The portal's views that need no server: the Dropped grouping and its fixes."""

from __future__ import annotations

from typing import Any, get_args

from azlogs.emulator.portal import api
from azlogs.emulator.store import diagnostics as kinds
from azlogs.schema import coerce


class _Control:
    def dcr_by_immutable_id(self, immutable_id: str) -> Any:
        return None


class _Ctx:
    control = _Control()


def _entry(
    kind: str, column: str, count: int, time: str, sample: str = "", dcr: str = "dcr-1"
) -> kinds.Diagnostic:
    return kinds.Diagnostic(
        time=time,
        request_id="r",
        client_request_id="c",
        status=204,
        dcr=dcr,
        stream="Custom-X",
        kind=kind,
        reason=f"{kind} {column}",
        column_name=column,
        count=count,
        sample=sample,
    )


class TestDropped:
    def test_groups_by_dcr_and_reason_keeping_the_newest_sample(self) -> None:
        """Entries of one DCR, kind and column add up; the newest sample and time are shown; most records first."""
        entries = [
            _entry(coerce.DROPPED_UNDECLARED, "Extra", 2, "t1", "a"),
            _entry(coerce.COERCED, "Level", 1, "t2", "'3'"),
            _entry(coerce.DROPPED_UNDECLARED, "Extra", 3, "t3", "b"),
            _entry(coerce.DROPPED_UNDECLARED, "Extra", 1, "t4", "z", dcr="DCR-2"),
        ]
        data = api.dropped_data(_Ctx(), entries)  # type: ignore[arg-type]
        assert [d["immutableId"] for d in data["dcrs"]] == ["dcr-1", "dcr-2"]
        first = data["dcrs"][0]["reasons"]
        assert [(g["kind"], g["column"], g["records"], g["requests"]) for g in first] == [
            (coerce.DROPPED_UNDECLARED, "Extra", 5, 2),
            (coerce.COERCED, "Level", 1, 1),
        ]
        assert (first[0]["first"], first[0]["last"], first[0]["sample"]) == ("t1", "t3", "b")
        assert "streamDeclarations" in first[0]["fix"]

    def test_every_kind_has_a_fix(self) -> None:
        """Each kind the coercer or the ingestion plane records has a fix to show."""
        recorded = set(get_args(coerce.EventKind)) | {
            v
            for k, v in vars(kinds).items()
            if k.isupper() and isinstance(v, str) and v.islower() and " " not in v
        }
        assert recorded - set(api.FIXES) == set()
