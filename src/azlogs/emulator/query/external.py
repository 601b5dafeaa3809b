"""The files ``externaldata`` may read in the emulator: one directory, never the network.

A query names its data by URL, as it would in Azure (``[@"https://raw.githubusercontent.com/o/r/main/x.csv"]``).
The emulator maps each URL to a file under its externaldata directory (``DATA_DIR/externaldata`` or
``emulator.externaldata_dir`` in the config file): ``https://HOST/PATH`` is ``HOST/PATH`` there,
``file:///NAME`` and a bare ``NAME`` are ``NAME``. A SAS token or key after ``?`` or ``;`` is ignored
and never shown. Nothing outside the directory is read, and nothing is fetched.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

# Past this size a file is refused rather than read into memory (the owner of this limit).
MAX_EXTERNAL_BYTES = 64 * 1024 * 1024


def shown(uri: str) -> str:
    """The URI without its query string or key (``?sig=...``, ``;key``): what errors may print."""
    u = urlsplit(uri.split(";", 1)[0])
    if u.scheme:
        return f"{u.scheme}://{u.netloc}{u.path}"
    return u.path


class ExternalFiles:
    """Resolves externaldata URIs to files under one directory and reads them."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path_of(self, uri: str) -> Path:
        """The file a URI names, or KeyError with the reason (outside the directory, a scheme)."""
        u = urlsplit(uri.split(";", 1)[0].strip())
        scheme = u.scheme.lower()
        if scheme in ("http", "https"):
            rel = Path(u.netloc) / unquote(u.path).lstrip("/")
        elif scheme == "file":
            rel = Path(unquote(u.path).lstrip("/"))
        elif scheme == "" or len(scheme) == 1:  # a bare name, or a Windows drive letter
            rel = Path(unquote(uri.split(";", 1)[0]).lstrip("/"))
        else:
            raise KeyError(
                f"'{shown(uri)}': the emulator reads externaldata from files only (http, https, file URLs)"
            )
        base = self.directory.resolve()
        path = (base / rel).resolve()
        if not path.is_relative_to(base):
            raise KeyError(f"'{shown(uri)}' is outside the emulator's externaldata directory {base}")
        return path

    def read_external(self, uri: str) -> str:
        """The text of the file a URI names (UTF-8); KeyError says what is missing and where."""
        path = self.path_of(uri)
        if not path.is_file():
            raise KeyError(
                f"'{shown(uri)}' is not an allowed external file: put a copy at {path} "
                "(the emulator never fetches it)"
            )
        size = path.stat().st_size
        if size > MAX_EXTERNAL_BYTES:
            raise KeyError(f"'{shown(uri)}' is {size} bytes; the emulator reads at most {MAX_EXTERNAL_BYTES}")
        return path.read_text(encoding="utf-8-sig", errors="replace")
