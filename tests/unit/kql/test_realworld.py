"""Parse-only corpus of real-world queries (tests/unit/kql/realworld/*.yaml, issue 14).

Hunting and detection queries that practitioners and Microsoft publish, copied verbatim with their
repository, commit and path. At least 98% of them must parse; every one that does not is listed in
``KNOWN`` with the reason, and the same list is in docs/differences.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from azlogs import KqlError
from azlogs.kql._parser import parse

CORPUS = Path(__file__).parent / "realworld"
DIFFERENCES = Path(__file__).parents[3] / "docs" / "differences.md"

# (repository, path, block) -> why the query does not parse. Most are mistakes in the published
# text that Kusto refuses as well; the rest are what azlogs lacks.
KNOWN: dict[tuple[str, str, str], str] = {
    ("Bert-JanP/Hunting-Queries-Detection-Rules", "Defender For Endpoint/RareISOFile.md", "0"): (
        "a comment wrapped onto a new line without '//' (the published text is not valid KQL)"
    ),
    ("Bert-JanP/Hunting-Queries-Detection-Rules", "KQL Regex/RegexExamples.md", "11"): (
        "prose after the statement without '//' (not valid KQL)"
    ),
    ("microsoft/Microsoft-365-Defender-Hunting-Queries", "Exploits/CVE-2021-36934 usage detection.md", "1"): (
        "a '#' comment (KQL comments are '//')"
    ),
    ("microsoft/Microsoft-365-Defender-Hunting-Queries", "Webcasts/Airlift 2021 - Lets Invoke.csl", "8"): (
        "a comment continued on lines without '//' (not valid KQL)"
    ),
    (
        "microsoft/Microsoft-365-Defender-Hunting-Queries",
        "Webcasts/Ignite 2020 - Best practices for hunting across domains with Microsoft 365 Defender.txt",
        "9",
    ): "the pipeline is pasted twice inside toscalar( ) without a '|' (not valid KQL)",
    ("reprise99/Sentinel-Queries", "Defender for Cloud Apps/DCA-ExtractPhoneNumber.kql", "0"): (
        'a placeholder left for the reader, datetime("Insert date") (not a datetime)'
    ),
    ("reprise99/Sentinel-Queries", "Defender for Endpoint/Device-ASRAudit.kql", "0"): (
        "'where isAudit = true' compares with '='; azlogs reads only '==' in a predicate"
    ),
}


def _corpus() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted(CORPUS.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        out.extend((doc["repo"], q) for q in doc["queries"])
    return out


def _params() -> list[Any]:
    out = []
    for repo, q in _corpus():
        key = (repo, q["path"], q["block"])
        marks = [pytest.mark.xfail(strict=True, raises=KqlError, reason=KNOWN[key])] if key in KNOWN else []
        out.append(pytest.param(q["query"], id=f"{repo}:{q['path']}#{q['block']}", marks=marks))
    return out


class TestRealWorldCorpus:
    """Real hunting and detection queries parse, and the exceptions are named."""

    @pytest.mark.parametrize("query", _params())
    def test_query_parses(self, query: str) -> None:
        """Each published query parses (or is a listed exception, which must still fail)."""
        parse(query)

    def test_at_least_98_percent_parse(self) -> None:
        """The share of the corpus that parses is at least 98%, over several hundred queries."""
        corpus = _corpus()
        ok = 0
        for _, q in corpus:
            try:
                parse(q["query"])
                ok += 1
            except KqlError:
                pass
        assert len(corpus) >= 300
        assert ok / len(corpus) >= 0.98, f"{ok}/{len(corpus)} parse"

    def test_every_query_names_its_source(self) -> None:
        """Every corpus file names its repository and commit, every query its path."""
        for path in sorted(CORPUS.glob("*.yaml")):
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
            assert "/" in doc["repo"] and len(doc["commit"]) == 40, path
            for q in doc["queries"]:
                assert q["path"] and isinstance(q["query"], str) and q["query"].strip()

    def test_known_failures_are_documented(self) -> None:
        """Each query that does not parse is listed in docs/differences.md with its path."""
        text = DIFFERENCES.read_text(encoding="utf-8")
        keys = {(repo, q["path"], q["block"]) for repo, q in _corpus()}
        for key in KNOWN:
            assert key in keys, f"{key} is not in the corpus any more"
            assert key[1] in text, f"{key[1]} is not listed in docs/differences.md"
