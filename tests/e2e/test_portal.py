"""The emulator's portal in a real headless browser: Debian's Chromium driven by Selenium.

The browser trusts the emulator's certificate, checked against its CA: the test reads the certificate
the HTTPS listener serves over a connection verified with the emulator's CA, and hands Chromium the
SHA-256 of its public key (``--ignore-certificate-errors-spki-list``, which Chromium matches against
the leaf only), so Chromium accepts that certificate and no other (verification is not switched off). Without Chromium, its driver or Selenium these tests fail with what to install; they
are never skipped (``make test`` installs Chromium from Debian's packages when it is missing).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import socket
import ssl
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from azlogs.emulator.portal import Portal
from tests.emulator_proc import EmulatorProcess
from tests.integration.test_ingestion_helpers import admin_token, imds_token, post
from tests.provisioning import provision_table

# One worker runs the module: one emulator and one Chromium, and the tests share the signed-in browser.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("portal")]

# Debian's packages (chromium, chromium-driver): the browser the tests drive, never one downloaded.
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
TABLE = "Portal_CL"
COLUMNS = [
    {"name": "TimeGenerated", "type": "datetime"},
    {"name": "Seq", "type": "int"},
    {"name": "Level", "type": "int"},
    {"name": "Message", "type": "string"},
]
MINUTES = 6  # records spread over this many minutes: the timechart's points
WAIT = 30.0


def _downloads(profile: Path) -> Path:
    """Where Chromium saves the exports: beside its profile."""
    return profile.parent / f"{profile.name}-downloads"


def _served_spki_sha256(base_url: str, ca_cert: str) -> str:
    """Base64 of SHA-256 over the SubjectPublicKeyInfo of the certificate the HTTPS listener serves,
    read over a connection that verified it against the emulator's CA (Chromium's SPKI pin)."""
    url = httpx.URL(base_url)
    context = ssl.create_default_context(cafile=ca_cert)
    with (
        socket.create_connection((url.host, url.port or 443), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname=url.host) as tls,
    ):
        der = tls.getpeercert(binary_form=True)
    assert der is not None
    spki = (
        x509.load_der_x509_certificate(der)
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


def _webdriver_module() -> Any:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if shutil.which(p) is None]
    if missing:
        pytest.fail(
            f"the portal's browser tests need Chromium and its driver; missing: {', '.join(missing)}. "
            "Install them with `apt-get install -y chromium chromium-driver` (make test does it as root).",
            pytrace=False,
        )
    try:
        from selenium import webdriver
    except ImportError:
        pytest.fail("the portal's browser tests need Selenium: pip install -e '.[dev]'", pytrace=False)
    return webdriver


class Sent:
    """What the fixture planted: records, the one with an undeclared column, the tokens it used."""

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []
        self.tokens: list[str] = []


@pytest.fixture(scope="module")
def emu(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    e = EmulatorProcess(tmp_path_factory.mktemp("portal") / "data")
    e.start()
    yield e
    e.stop()


@pytest.fixture(scope="module")
def sent(emu: EmulatorProcess) -> Sent:
    info = emu.info
    prov = provision_table(info, TABLE, COLUMNS)
    out = Sent()
    token = imds_token(emu)
    out.tokens += [token, admin_token(emu)]
    # the middle of a past minute: never in the future, so inside the query's time range
    now = (datetime.now(timezone.utc) - timedelta(minutes=1)).replace(second=30, microsecond=0)
    for minute in range(MINUTES):  # minute m ago holds m + 1 records
        for _ in range(minute + 1):
            i = len(out.records)
            when = now - timedelta(minutes=minute)
            out.records.append(
                {"TimeGenerated": when.isoformat(), "Seq": i, "Level": i % 4, "Message": f"message {i}"}
            )
    planted = [dict(r) for r in out.records]
    planted[0]["Extra"] = "not in the stream"  # undeclared: Azure drops it silently
    url = f"{prov.endpoint}/dataCollectionRules/{prov.immutable_id}/streams/{prov.stream}?api-version=2023-01-01"
    assert post(emu, url, planted, token).status_code == 204
    return out


@pytest.fixture(scope="module")
def browser(emu: EmulatorProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    webdriver = _webdriver_module()
    from selenium.webdriver.chrome.service import Service

    profile = tmp_path_factory.mktemp("chromium-profile")
    options = webdriver.ChromeOptions()
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(_downloads(profile)), "download.prompt_for_download": False},
    )
    options.binary_location = CHROMIUM
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # the pages' console, read by a test
    for arg in (
        "--headless=new",
        "--no-sandbox",  # root in CI
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--window-size=1280,1100",
        f"--user-data-dir={profile}",
        f"--ignore-certificate-errors-spki-list={_served_spki_sha256(emu.info.endpoints.arm, emu.info.ca_cert)}",
    ):
        options.add_argument(arg)
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must not look for a browser download
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(WAIT)
    try:
        yield driver
    finally:
        driver.quit()


def _wait(driver: Any, condition: Any, what: str) -> Any:
    """Wait for ``condition``; an element found on a page that is being replaced (a form's POST
    and its redirect) goes stale while the condition runs, and is looked up again."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(
        driver, WAIT, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)
    )
    return wait.until(condition, message=f"waited {WAIT:.0f} s for {what}")


@pytest.fixture(scope="module")
def signed_in(browser: Any, emu: EmulatorProcess, sent: Sent) -> Any:
    from selenium.webdriver.common.by import By

    browser.get(emu.info.endpoints.portal)
    _wait(browser, lambda d: d.current_url.endswith("/portal/signin"), "the sign-in page")
    browser.find_element(By.ID, "key").send_keys(emu.info.admin.key)
    browser.find_element(By.ID, "signin").click()
    _wait(
        browser, lambda d: d.execute_script("return document.body.dataset.loaded") == "overview", "Overview"
    )
    return browser


def _secrets(emu: EmulatorProcess, sent: Sent) -> dict[str, str]:
    info = emu.info
    found = {"admin.key": info.admin.key, "admin.client_secret": info.admin.client_secret}
    for ident in info.identities:
        if ident.client_secret:
            found[f"{ident.name}.client_secret"] = ident.client_secret
    for name, value in info.identity_headers.items():
        found[f"identity_headers.{name}"] = value
    for i, token in enumerate(sent.tokens):
        found[f"token {i}"] = token
        found[f"token {i} signature"] = token.rsplit(".", 1)[-1]
    return found


class TestBrowser:
    def test_portal_loads_over_https_with_the_emulators_ca(
        self, signed_in: Any, emu: EmulatorProcess, sent: Sent
    ) -> None:
        """After sign-in the Overview lists the identities with principal ids, the DCR with its ingestion, the table."""
        from selenium.webdriver.common.by import By

        assert signed_in.current_url.startswith("https://")
        _wait(
            signed_in, lambda d: TABLE in d.find_element(By.ID, "page-overview").text, "the table on Overview"
        )
        text = signed_in.find_element(By.ID, "page-overview").text
        assert emu.info.identity("vm").principal_id in text
        assert "Monitoring Metrics Publisher" in text
        dcr = signed_in.find_element(By.CSS_SELECTOR, ".card.dcr")
        assert f"Custom-{TABLE}" in dcr.text
        # ingestion over the last minutes: one request of every record, no error
        cells = [td.text for td in dcr.find_elements(By.CSS_SELECTOR, ".ingestion tbody td")]
        assert (cells[:2], cells[3:]) == (["1", str(len(sent.records))], ["0", "0", "0"])

    def test_a_typed_query_shows_its_rows(self, signed_in: Any, sent: Sent) -> None:
        """A query typed into the editor (with the table offered as you type) shows the right rows and types."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.common.keys import Keys

        signed_in.get(signed_in.current_url.split("#")[0] + "#logs")
        editor = _wait(signed_in, lambda d: d.find_element(By.ID, "kql"), "the editor")
        editor.clear()
        editor.send_keys("Portal_")
        offered = _wait(
            signed_in,
            lambda d: [
                li.get_attribute("data-label") for li in d.find_elements(By.CSS_SELECTOR, "#kql-complete li")
            ],
            "completion",
        )
        assert TABLE in offered
        editor.send_keys(Keys.TAB)  # accepts the table
        assert editor.get_attribute("value") == TABLE
        editor.send_keys(" | where Level == 2 | project Seq, Message | order by Seq asc")
        editor.send_keys(Keys.ESCAPE)
        signed_in.find_element(By.ID, "run").click()
        table = _wait(
            signed_in, lambda d: d.find_elements(By.CSS_SELECTOR, "#results table.results"), "results"
        )[0]
        heads = [
            (th.get_attribute("data-name"), th.get_attribute("data-type"))
            for th in table.find_elements(By.TAG_NAME, "th")
        ]
        assert heads == [("Seq", "int"), ("Message", "string")]
        rows = [
            [td.text for td in tr.find_elements(By.TAG_NAME, "td")]
            for tr in table.find_elements(By.CSS_SELECTOR, "tbody tr")
        ]
        expected = [
            [str(r["Seq"]), r["Message"]]
            for r in sorted(sent.records, key=lambda r: r["Seq"])
            if r["Level"] == 2
        ]
        assert rows == expected

    def test_results_page_and_export(self, signed_in: Any) -> None:
        """120 rows show 50 a page; Next goes on; CSV and JSON exports hold every row with the column names."""
        from selenium.webdriver.common.by import By

        signed_in.get(signed_in.current_url.split("#")[0] + "#logs")
        editor = _wait(signed_in, lambda d: d.find_element(By.ID, "kql"), "the editor")
        editor.clear()
        editor.send_keys("range n from 1 to 120 step 1 | extend word = strcat('w', n)")
        signed_in.find_element(By.ID, "run").click()
        _wait(signed_in, lambda d: d.find_elements(By.CSS_SELECTOR, "#results tbody tr"), "results")
        assert signed_in.find_element(By.ID, "page-info").text == "page 1 of 3 · 120 rows"
        assert len(signed_in.find_elements(By.CSS_SELECTOR, "#results tbody tr")) == 50
        signed_in.find_element(By.ID, "next").click()
        first = signed_in.find_element(By.CSS_SELECTOR, "#results tbody tr td").text
        assert (signed_in.find_element(By.ID, "page-info").text, first) == ("page 2 of 3 · 120 rows", "51")
        downloads = _downloads(Path(signed_in.capabilities["chrome"]["userDataDir"]))
        signed_in.find_element(By.ID, "export-csv").click()
        signed_in.find_element(By.ID, "export-json").click()
        csv_file, json_file = downloads / "query.csv", downloads / "query.json"
        _wait(signed_in, lambda d: csv_file.exists() and json_file.exists(), "the exports")
        lines = csv_file.read_text().splitlines()
        assert lines[0] == "n,word" and lines[1:] == [f"{n},w{n}" for n in range(1, 121)]
        assert json.loads(json_file.read_text()) == [{"n": n, "word": f"w{n}"} for n in range(1, 121)]

    def test_render_timechart_draws_the_series(self, signed_in: Any, tmp_path: Path) -> None:
        """``render timechart`` draws one series with a point per minute; a screenshot is kept."""
        from selenium.webdriver.common.by import By

        signed_in.get(signed_in.current_url.split("#")[0] + "#logs")
        editor = _wait(signed_in, lambda d: d.find_element(By.ID, "kql"), "the editor")
        editor.clear()
        editor.send_keys(
            f"{TABLE} | summarize Records = count() by bin(TimeGenerated, 1m) | render timechart"
        )
        signed_in.find_element(By.ID, "run").click()
        series = _wait(
            signed_in, lambda d: d.find_elements(By.CSS_SELECTOR, "#chart svg.chart path.series"), "the chart"
        )
        svg = signed_in.find_element(By.CSS_SELECTOR, "#chart svg.chart")
        assert svg.get_attribute("data-visualization") == "timechart"
        assert [(s.get_attribute("data-series"), s.get_attribute("data-points")) for s in series] == [
            ("Records", str(MINUTES))
        ]
        assert series[0].get_attribute("d").count("L") == MINUTES - 1
        # oldest first: the minute m ago holds m + 1 records
        assert json.loads(series[0].get_attribute("data-values")) == list(range(MINUTES, 0, -1))
        shot = tmp_path / "timechart.png"
        assert signed_in.save_screenshot(str(shot))
        assert shot.stat().st_size > 0

    def _chart(self, driver: Any, kql: str) -> Any:
        from selenium.webdriver.common.by import By

        driver.get(driver.current_url.split("#")[0] + "#logs")
        editor = _wait(driver, lambda d: d.find_element(By.ID, "kql"), "the editor")
        editor.clear()
        editor.send_keys(kql)
        driver.find_element(By.ID, "run").click()
        return _wait(
            driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#chart svg.chart .series"), "the chart"
        )

    def test_render_piechart_draws_a_slice_per_category(self, signed_in: Any, sent: Sent) -> None:
        """``render piechart`` draws one slice per Level with its count."""
        from selenium.webdriver.common.by import By

        self._chart(signed_in, f"{TABLE} | summarize n = count() by tostring(Level) | render piechart")
        slices = signed_in.find_elements(By.CSS_SELECTOR, "#chart svg.chart path.slice")
        drawn = {s.get_attribute("data-category"): s.get_attribute("data-value") for s in slices}
        expected: dict[str, str] = {}
        for r in sent.records:
            expected[str(r["Level"])] = str(int(expected.get(str(r["Level"]), "0")) + 1)
        assert drawn == expected

    def test_series_arrays_draw_one_line_per_row(self, signed_in: Any) -> None:
        """Rows of arrays (the shape make-series returns) draw one series each over the time array."""
        from selenium.webdriver.common.by import By

        times = ", ".join(f'"2026-12-01T00:0{m}:00Z"' for m in range(3))
        self._chart(
            signed_in,
            "datatable(Computer: string, t: dynamic, n: dynamic)"
            f'["a", dynamic([{times}]), dynamic([3, 1, 2]), "b", dynamic([{times}]), dynamic([0, 5, 4])]'
            " | render timechart",
        )
        series = signed_in.find_elements(By.CSS_SELECTOR, "#chart svg.chart path.series")
        drawn = [(s.get_attribute("data-series"), json.loads(s.get_attribute("data-values"))) for s in series]
        assert drawn == [("a", [3, 1, 2]), ("b", [0, 5, 4])]

    def test_dropped_lists_the_undeclared_column_with_its_reason(self, signed_in: Any) -> None:
        """The Dropped page shows the planted undeclared column, its reason, a sample and the fix."""
        from selenium.webdriver.common.by import By

        signed_in.get(signed_in.current_url.split("#")[0] + "#dropped")
        row = _wait(
            signed_in,
            lambda d: d.find_elements(
                By.CSS_SELECTOR, '#page-dropped tr[data-kind="dropped_undeclared"][data-column="Extra"]'
            ),
            "the dropped column",
        )[0]
        assert "not in the stream" in row.text
        assert "streamDeclarations" in row.find_element(By.CSS_SELECTOR, "td.fix").text
        assert row.find_element(By.CSS_SELECTOR, "td.reason").text

    def test_request_log_shows_the_ingestion_request(self, signed_in: Any) -> None:
        """The Request log lists the ingestion POST with its status; the portal's own requests are left out."""
        from selenium.webdriver.common.by import By

        signed_in.get(signed_in.current_url.split("#")[0] + "#requests")
        _wait(
            signed_in, lambda d: "/streams/" in d.find_element(By.ID, "page-requests").text, "the request log"
        )
        text = signed_in.find_element(By.ID, "page-requests").text
        assert "204" in text
        assert "/portal/api" not in text

    def test_pages_hold_no_secret(
        self, signed_in: Any, emu: EmulatorProcess, sent: Sent, tmp_path: Path
    ) -> None:
        """No page the browser renders holds a key, a secret or a token (a screenshot of each is kept)."""
        secrets = _secrets(emu, sent)
        base = signed_in.current_url.split("#")[0]
        for page in ("overview", "logs", "dropped", "requests"):
            signed_in.get(f"{base}#{page}")
            _wait(
                signed_in,
                lambda d, p=page: d.execute_script("return document.body.dataset.loaded") == p,
                page,
            )
            time.sleep(0.5)  # let the page's first fetch render
            source = signed_in.page_source
            signed_in.save_screenshot(str(tmp_path / f"{page}.png"))
            assert [name for name, value in secrets.items() if value in source] == []
        # and no page logged an error (a script failure, a refused resource, a CSP violation)
        assert [e["message"] for e in signed_in.get_log("browser") if e["level"] == "SEVERE"] == []

    def test_a_new_browser_profile_lands_on_sign_in(self, signed_in: Any, emu: EmulatorProcess) -> None:
        """Without the session cookie the portal shows only its sign-in page; a wrong key is said so."""
        from selenium.webdriver.common.by import By

        signed_in.delete_all_cookies()
        try:
            signed_in.get(emu.info.endpoints.portal)
            _wait(signed_in, lambda d: d.current_url.endswith("/portal/signin"), "the sign-in page")
            signed_in.find_element(By.ID, "key").send_keys("not-the-key")
            signed_in.find_element(By.ID, "signin").click()
            _wait(signed_in, lambda d: d.find_element(By.ID, "failed").is_displayed(), "the failure message")
            assert signed_in.current_url.endswith("/portal/signin?failed=1")
        finally:  # signed in again for the tests after this one
            key = signed_in.find_element(By.ID, "key")
            key.clear()
            key.send_keys(emu.info.admin.key)
            signed_in.find_element(By.ID, "signin").click()
            _wait(
                signed_in,
                lambda d: d.execute_script("return document.body.dataset.loaded") == "overview",
                "Overview",
            )


# --- over HTTP, without a browser --------------------------------------------------------------------


def _client(emu: EmulatorProcess) -> httpx.Client:
    verify = ssl.create_default_context(cafile=emu.info.ca_cert)
    return httpx.Client(base_url=emu.info.endpoints.arm, verify=verify, timeout=30, follow_redirects=False)


class TestAccess:
    def test_no_route_answers_without_credentials(self, emu: EmulatorProcess, sent: Sent) -> None:
        """Every portal page, asset and API route but the sign-in page refuses a request without credentials."""
        with _client(emu) as c:
            for method, route in Portal.ROUTES:
                path = route.replace("{name}", "portal.js")
                if path in ("/portal", "/portal/signin", "/portal/signout"):
                    continue
                r = c.request(method, path, json={"query": "print 1"} if method == "POST" else None)
                assert r.status_code in (303, 401), (method, path, r.status_code)
                if r.status_code == 303:
                    assert r.headers["location"] == "/portal/signin"
                else:
                    assert r.headers["content-type"].startswith("application/json")
            # the sign-in page's own assets are public, every other is not
            for name, public in (
                ("portal.css", True),
                ("signin.js", True),
                ("kql.js", False),
                ("index.html", False),
            ):
                assert (c.get(f"/portal/static/{name}").status_code == 200) is public, name
            # a forged cookie and a wrong key are no better
            c.cookies.set("azlogs_portal", "forged", domain="127.0.0.1", path="/portal")
            assert c.get("/portal/api/overview").status_code == 401
            c.cookies.clear()
            wrong = c.post("/portal/signin", data={"key": "not-the-key"})
            assert wrong.status_code == 303 and wrong.headers["location"].endswith("failed=1")
            assert "set-cookie" not in wrong.headers
            wrong = c.post(
                "/portal/signin", data={"client_id": emu.info.admin.client_id, "client_secret": "nope"}
            )
            assert "set-cookie" not in wrong.headers
            # another principal's token is refused (the VM's, valid for ARM)
            vm = imds_token(emu, resource="https://management.azure.com")
            assert c.get("/portal/api/overview", headers={"Authorization": f"Bearer {vm}"}).status_code == 401

    def test_session_cookie_is_opaque_and_strict(self, emu: EmulatorProcess, sent: Sent) -> None:
        """Sign-in with the admin's client id and secret sets an HttpOnly, Secure, SameSite=Strict session id."""
        info = emu.info
        with _client(emu) as c:
            r = c.post(
                "/portal/signin",
                data={"client_id": info.admin.client_id, "client_secret": info.admin.client_secret},
            )
            assert r.status_code == 303 and r.headers["location"] == "/portal/"
            cookie = r.headers["set-cookie"]
            attrs = [a.strip().lower() for a in cookie.split(";")]
            assert {"httponly", "secure", "samesite=strict", "path=/portal"} <= set(attrs)
            value = cookie.split(";", 1)[0].split("=", 1)[1]
            assert value not in (info.admin.key, info.admin.client_secret) and "." not in value
            assert c.get("/portal/api/overview").status_code == 200
            assert c.post("/portal/signout").status_code == 303
            assert c.get("/portal/api/overview").status_code == 401

    def test_no_answer_holds_a_secret(self, emu: EmulatorProcess, sent: Sent) -> None:
        """No page, asset or API answer (headers and body) holds a key, a secret or an issued token."""
        secrets = _secrets(emu, sent)
        with _client(emu) as c:
            r = c.post("/portal/signin", data={"key": emu.info.admin.key})
            assert r.status_code == 303
            answers = [r]
            for method, route in Portal.ROUTES:
                if method == "GET":
                    answers.append(c.get(route.replace("{name}", "index.html")))
            for name in (
                "index.html",
                "signin.html",
                "portal.css",
                "signin.js",
                "portal.js",
                "kql.js",
                "chart.js",
            ):
                answers.append(c.get(f"/portal/static/{name}"))
            for kql in (f"{TABLE} | take 100", "print x = 1 | render piechart", "DCRLogErrors | take 10"):
                answers.append(c.post("/portal/api/query", json={"query": kql}))
            answers.append(c.get("/portal/api/requests", params={"limit": 2000}))
        assert all(a.status_code < 500 for a in answers)
        for answer in answers:
            headers = "\n".join(f"{k}: {v}" for k, v in answer.headers.items() if k != "set-cookie")
            text = headers + "\n" + answer.text
            assert [name for name, value in secrets.items() if value in text] == [], answer.url
