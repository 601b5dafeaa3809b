"""externaldata through the emulator's query API: files under its externaldata directory only.

A hunting query keeps its URL (``https://raw.githubusercontent.com/...``); the emulator reads the copy
at ``DATA_DIR/externaldata/<host>/<path>`` and never the network. On the code before, externaldata
was a syntax error.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from azlogs.emulator.query.external import ExternalFiles, shown
from tests.unit.emulator.test_query_plane import Api, api, error_of

__all__ = ["api"]

URL = "https://raw.githubusercontent.com/example/iocs/main/bad-ips.csv"


def _files(api: Api) -> Path:
    root: Path = api.ctx.settings.data_dir / "externaldata"
    return root


class TestExternalDataQuery:
    """The query API answers externaldata from local copies."""

    async def test_a_url_reads_its_local_copy(self, api: Api) -> None:
        """The https URL maps to HOST/PATH under the directory; columns typed as declared."""
        path = _files(api) / "raw.githubusercontent.com/example/iocs/main/bad-ips.csv"
        path.parent.mkdir(parents=True)
        path.write_text("ip,score\n192.0.2.7,9\n198.51.100.1,4\n", encoding="utf-8")
        q = f"externaldata(ip:string, score:long)[@'{URL}'] with (format='csv', ignoreFirstRecord=true) | where score > 5"
        r = await api.query({"query": q})
        assert r.status_code == 200, r.text
        table = r.json()["tables"][0]
        assert table["columns"] == [{"name": "ip", "type": "string"}, {"name": "score", "type": "long"}]
        assert table["rows"] == [["192.0.2.7", 9]]

    async def test_a_missing_copy_is_a_400_naming_where_to_put_it(self, api: Api) -> None:
        """No local copy: BadArgumentError that says where the file belongs, without the SAS token."""
        r = await api.query({"query": f"externaldata(a:string)[h@'{URL}?sig=SECRET123']"})
        assert r.status_code == 400
        text = r.text
        assert "SECRET123" not in text
        assert error_of(r)["code"] == "BadArgumentError"
        assert "externaldata/raw.githubusercontent.com/example/iocs/main/bad-ips.csv" in text

    async def test_paths_outside_the_directory_are_refused(self, api: Api) -> None:
        """file:///../x and absolute paths never leave the directory."""
        secret = api.ctx.settings.data_dir / "state-secret.txt"
        secret.write_text("do not read", encoding="utf-8")
        r = await api.query(
            {"query": "externaldata(a:string)[@'file:///../state-secret.txt'] with (format='txt')"}
        )
        assert r.status_code == 400
        assert "do not read" not in r.text


class TestExternalFiles:
    """The mapping from URIs to files, and what errors may show."""

    def test_mapping(self, tmp_path: Path) -> None:
        """https://HOST/PATH -> HOST/PATH; file:///NAME and NAME -> NAME."""
        files = ExternalFiles(tmp_path)
        assert files.path_of("https://h.example/a/b.csv") == (tmp_path / "h.example/a/b.csv").resolve()
        assert files.path_of("file:///iocs.txt") == (tmp_path / "iocs.txt").resolve()
        assert files.path_of("iocs.txt") == (tmp_path / "iocs.txt").resolve()

    def test_other_schemes_and_escapes_are_refused(self, tmp_path: Path) -> None:
        """ftp: and ../ are refused with the reason."""
        files = ExternalFiles(tmp_path)
        with pytest.raises(KeyError, match="files only"):
            files.path_of("ftp://h/x")
        with pytest.raises(KeyError, match="outside"):
            files.path_of("../x")

    def test_shown_drops_keys(self) -> None:
        """A SAS query string or ;key suffix is never part of what errors print."""
        assert (
            shown("https://a.blob.core.windows.net/c/x.csv?sv=1&sig=S")
            == "https://a.blob.core.windows.net/c/x.csv"
        )
        assert (
            shown("https://a.blob.core.windows.net/c/x.csv;KEY==")
            == "https://a.blob.core.windows.net/c/x.csv"
        )
