"""Parse rate of real-world KQL (hunting and detection queries) over local git mirrors.

Usage: ``python bench/kql_realworld.py MIRROR_GIT_DIR [MIRROR_GIT_DIR ...] [--failures N]
[--sample DIR --per-repo N] [--compile]``

Each argument is a bare git directory of a public query repository (Sentinel content, hunting
query collections). Queries are taken from ``.kql``/``.txt`` files (the whole file), ``.md`` files
(every fenced block) and ``.yaml`` files (the ``query:`` field). The script prints the share that
parses and the most frequent first error messages; ``--sample`` writes a YAML corpus of up to
``--per-repo`` queries per repository (each with its repository, path and commit) for
tests/unit/kql/realworld/. ``--compile`` also compiles each query that parses against made-up
tables (every name the query mentions is a table with every such name as a string column, plus
TimeGenerated and Timestamp as datetimes) and counts the first compile errors: what the engine
lacks (functions, operators), not what the data would answer.
"""

from __future__ import annotations

import argparse
import collections
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from azlogs import KqlError
from azlogs.kql._parser import parse

_FENCE = re.compile(r"^```[ \t]*([A-Za-z]*)[ \t]*\n(.*?)^```", re.S | re.M)
_NOT_KQL = {
    "powershell",
    "ps",
    "ps1",
    "json",
    "python",
    "bash",
    "sh",
    "yaml",
    "yml",
    "xml",
    "cmd",
    "text",
    "txt",
}


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


def queries_of(repo: Path) -> list[dict[str, str]]:
    """Every query in the repository's HEAD, with its path."""
    commit = _git(repo, "rev-parse", "HEAD").strip()
    out: list[dict[str, str]] = []
    for path in _git(repo, "ls-tree", "-r", "--name-only", "HEAD").splitlines():
        low = path.lower()
        if not low.endswith((".kql", ".txt", ".md", ".yaml", ".yml", ".csl")):
            continue
        try:
            text = subprocess.run(
                ["git", "-C", str(repo), "show", f"HEAD:{path}"], capture_output=True, check=True
            ).stdout.decode("utf-8", "replace")
        except subprocess.CalledProcessError:
            continue
        found: list[str] = []
        if low.endswith((".kql", ".csl")):
            found = [text]
        elif low.endswith(".txt"):
            if re.search(r"^\s*\|\s*(where|project|extend|summarize)", text, re.M):
                found = [text]
        elif low.endswith(".md"):
            for m in _FENCE.finditer(text):
                lang, body = m.group(1).lower(), m.group(2)
                if lang in _NOT_KQL:
                    continue
                if re.search(r"^\s*\|\s*[a-z-]+", body, re.M) or re.match(
                    r"\s*(let|print|datatable)\b", body
                ):
                    found.append(body)
        else:
            try:
                doc = yaml.safe_load(text)
            except yaml.YAMLError:
                continue
            if isinstance(doc, dict) and isinstance(doc.get("query"), str):
                found = [doc["query"]]
        found = [q for text in found for q in split_queries(text)]
        for i, q in enumerate(found):
            if q.strip():
                out.append(
                    {"repo": _origin(repo), "path": path, "commit": commit, "block": str(i), "query": q}
                )
    return out


def split_queries(text: str) -> list[str]:
    """The queries of one file as the Log Analytics editor sees them: blocks separated by empty lines.

    Authors also leave empty lines inside one query, so a block that cannot start a query (it starts
    with ``|``, or the text before it ends in ``;``, ``,`` or an open bracket) joins the one before.
    Blocks of comments only are dropped.
    """
    blocks = re.split(r"\n[ \t\r]*\n", text.replace("\r\n", "\n"))
    out: list[str] = []
    for block in blocks:
        code = [ln for ln in block.splitlines() if ln.strip() and not ln.strip().startswith("//")]
        if not code:
            if out:
                out[-1] += "\n\n" + block
            continue
        head = code[0].lstrip()
        prev = _code_tail(out[-1]) if out else ""
        if out and (
            head.startswith(("|", ")", "]", ",", "on ", "and ", "or ", "with"))
            or prev.endswith((";", ",", "(", "[", "{", "|", "=", "and", "or"))
            or _depth(out[-1]) > 0
        ):
            out[-1] += "\n\n" + block
        else:
            out.append(block)
    return [
        q.strip("\n")
        for q in out
        if any(ln.strip() and not ln.strip().startswith("//") for ln in q.splitlines())
    ]


def _code_tail(text: str) -> str:
    for ln in reversed(text.splitlines()):
        s = ln.split("//", 1)[0].strip() if "//" in ln and '"' not in ln and "'" not in ln else ln.strip()
        if s and not s.startswith("//"):
            return s
    return ""


def _depth(text: str) -> int:
    # Brackets still open at the end of the text (strings and comments skipped roughly).
    text = re.sub(r"//[^\n]*", "", re.sub(r"@?\"([^\"\\\n]|\\.)*\"|@?'([^'\\\n]|\\.)*'", '""', text))
    return sum(text.count(c) for c in "([{") - sum(text.count(c) for c in ")]}")


def _origin(repo: Path) -> str:
    # /work/.mirror/owner+name/repo -> owner/name
    return repo.parent.name.replace("+", "/", 1) if "+" in repo.parent.name else repo.name


def first_error(query: str) -> str | None:
    """None when the query parses, else the parser's message."""
    try:
        parse(query)
    except KqlError as exc:
        return exc.message
    except Exception as exc:  # a crash is a failure too, and the worst kind
        return f"CRASH {type(exc).__name__}: {exc}"
    return None


class _Literal(yaml.SafeDumper):
    """Multi-line queries as YAML block scalars, so the corpus reads like the queries."""


def _block(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    style = "|" if "\n" in text and not any(c in text for c in "\t\r") and text == text.rstrip() else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Literal.add_representer(str, _block)


class _AnyTable:
    """A provider where any name the query mentions is a table with all those names as columns."""

    def __init__(self, query: str) -> None:
        words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", query))
        # let names and function names are not columns (a column would hide the let)
        lets = set(re.findall(r"\blet\s+([A-Za-z_][A-Za-z0-9_]*)", query))
        calls = set(re.findall(r"([A-Za-z_][A-Za-z0-9_]*)\s*\(", query))
        self.cols = [("TimeGenerated", "datetime"), ("Timestamp", "datetime")] + [
            (w, "string") for w in sorted(words - lets - calls) if w not in ("TimeGenerated", "Timestamp")
        ]
        self.words = words
        self.lets = lets

    def table_names(self) -> list[str]:
        return sorted(self.words - self.lets)

    def table_columns(self, name: str) -> list[tuple[str, str]] | None:
        return self.cols if name in self.words else None

    def scan(self, name: str, **_: Any) -> list[dict[str, Any]]:
        return []

    def read_external(self, uri: str) -> str:
        return ""


def compile_error(query: str) -> str | None:
    """None when the query compiles over made-up tables (see the module docstring), else the message."""
    from azlogs.kql import run_query

    try:
        run_query(query, _AnyTable(query))
    except KqlError as exc:
        return exc.message
    except Exception as exc:
        return f"CRASH {type(exc).__name__}: {exc}"
    return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("repos", nargs="+", type=Path)
    ap.add_argument("--failures", type=int, default=25)
    ap.add_argument("--sample", type=Path)
    ap.add_argument("--per-repo", type=int, default=150)
    ap.add_argument("--compile", action="store_true")
    ns = ap.parse_args(argv)
    total = ok = 0
    reasons: collections.Counter[str] = collections.Counter()
    examples: dict[str, str] = {}
    compiled = parsed = 0
    compile_reasons: collections.Counter[str] = collections.Counter()
    for repo in ns.repos:
        qs = queries_of(repo)
        good = 0
        for q in qs:
            e = first_error(q["query"])
            if e is None:
                good += 1
                if ns.compile:
                    parsed += 1
                    ce = compile_error(q["query"])
                    if ce is None:
                        compiled += 1
                    else:
                        ck = re.sub(r"^line \d+, column \d+: ", "", ce)
                        ck = re.sub(r"'[^']*' is a \w+ name", "'…' is a … name", ck)[:90]
                        compile_reasons[ck] += 1
                        examples.setdefault("compile:" + ck, f"{q['path']}#{q['block']}")
            else:
                key = re.sub(r"^line \d+, column \d+: ", "", e)
                key = re.sub(r"; expected .*", "", key)[:90]
                reasons[key] += 1
                examples.setdefault(key, f"{q['path']}#{q['block']}")
        total += len(qs)
        ok += good
        print(f"{_origin(repo)}: {good}/{len(qs)} parse ({100 * good / max(len(qs), 1):.1f}%)")
        if ns.sample:
            step = max(1, len(qs) // ns.per_repo)
            picked = [{k: q[k] for k in ("path", "block", "query")} for q in qs[::step][: ns.per_repo]]
            doc = {"repo": _origin(repo), "commit": qs[0]["commit"] if qs else "", "queries": picked}
            ns.sample.mkdir(parents=True, exist_ok=True)
            (ns.sample / (_origin(repo).replace("/", "__") + ".yaml")).write_text(
                yaml.dump(doc, Dumper=_Literal, sort_keys=False, allow_unicode=True, width=1000),
                encoding="utf-8",
            )
    print(f"total: {ok}/{total} parse ({100 * ok / max(total, 1):.1f}%)")
    for key, n in reasons.most_common(ns.failures):
        print(f"{n:5d}  {key}   e.g. {examples[key]}")
    if ns.compile:
        print(
            f"compile over made-up tables: {compiled}/{parsed} of the parsed ({100 * compiled / max(parsed, 1):.1f}%)"
        )
        for key, n in compile_reasons.most_common(ns.failures):
            print(f"{n:5d}  {key}   e.g. {examples['compile:' + key]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
