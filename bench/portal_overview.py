"""Ingestion with and without a browser on the portal's Overview page: records/s and the ratio.

A script, not a test: ``.venv/bin/python bench/portal_overview.py [--records N] [--senders 4] [--rounds 2]``.
It needs Debian's Chromium and chromedriver (``make browser``) and Selenium (the dev extra).

One emulator subprocess (durable store, the byte-rate limit raised), one table, DCE, DCR and role
through azlogs.provision, the same gzip batches as bench/emulator_ingest.py built before the clock.
Each round sends the batches twice, without and with (the order alternating by round) a headless Chromium signed in to
the portal and showing Overview (it refreshes every 5 s; the script also asks Overview's API once a
second from another client, a user clicking about), so both legs see the same table sizes on
average. Use an even number of rounds. It prints records/s per leg, the medians, their ratio (with / without; 1.00 = no cost), and
the latency of the Overview API during the browser legs (the portal stays responsive or it does not).
"""

from __future__ import annotations

import argparse
import json
import ssl
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import AZLOGS, Background, make_records
from bench.emulator_ingest import build_batches, provision, send_all


def open_browser(info: Any, profile: Path) -> Any:
    """Headless Chromium signed in to the portal, on Overview (trusting the served certificate's key)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from tests.e2e.test_portal import CHROMEDRIVER, CHROMIUM, _served_spki_sha256

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    pin = _served_spki_sha256(info.endpoints.arm, info.ca_cert)
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--user-data-dir={profile}",
                f"--ignore-certificate-errors-spki-list={pin}"):  # fmt: skip
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.get(info.endpoints.portal)
    driver.find_element(By.ID, "key").send_keys(info.admin.key)
    driver.find_element(By.ID, "signin").click()
    WebDriverWait(driver, 30).until(
        lambda d: d.execute_script("return document.body.dataset.loaded") == "overview"
    )
    return driver


class OverviewPoller:
    """Asks the Overview API once a second from its own signed-in client; keeps the latencies."""

    def __init__(self, info: Any) -> None:
        self.latencies: list[float] = []
        self._stop = threading.Event()
        self._client = httpx.Client(
            base_url=info.endpoints.arm, verify=ssl.create_default_context(cafile=info.ca_cert), timeout=60
        )
        self._client.post("/portal/signin", data={"key": info.admin.key})
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            started = time.perf_counter()
            r = self._client.get("/portal/api/overview")
            r.raise_for_status()
            self.latencies.append(time.perf_counter() - started)

    def stop(self) -> list[float]:
        self._stop.set()
        self._thread.join()
        self._client.close()
        return self.latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=300_000, help="records per leg")
    parser.add_argument("--senders", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    batches = build_batches(make_records(args.records), 1_000_000)
    without: list[float] = []
    with_browser: list[float] = []
    latencies: list[float] = []
    with tempfile.TemporaryDirectory(prefix="azlogs-bench-portal-") as tmp:
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        config = Path(tmp) / "config.json"
        config.write_text(json.dumps({"limits": {"bytes_per_minute": 1024**4}}))
        emu = Background(
            [AZLOGS, "emulator", "start", "--data-dir", str(data_dir), "--config", str(config)],
            data_dir / "emulator.json",
        )
        try:
            info = emu.info
            url, token = provision(info)
            for round_ in range(args.rounds):
                # alternate which leg goes first: the table grows, and a later leg may run warmer
                for browser in (False, True) if round_ % 2 == 0 else (True, False):
                    if not browser:
                        elapsed, accepted, _ = send_all(url, token, info.ca_cert, batches, args.senders)
                        without.append(accepted / elapsed)
                        continue
                    driver = open_browser(info, Path(tmp) / f"profile{round_}")
                    poller = OverviewPoller(info)
                    try:
                        elapsed, accepted, _ = send_all(url, token, info.ca_cert, batches, args.senders)
                        with_browser.append(accepted / elapsed)
                    finally:
                        latencies += poller.stop()
                        driver.quit()
                print(
                    f"round {round_ + 1}: without a browser {without[-1]:,.0f} records/s, "
                    f"with Overview open {with_browser[-1]:,.0f} records/s"
                )
        finally:
            emu.stop()
    a, b = statistics.median(without), statistics.median(with_browser)
    print(f"median without {a:,.0f} records/s, with Overview open {b:,.0f} records/s: ratio {b / a:.2f}")
    if latencies:
        print(
            f"Overview API during ingestion: {len(latencies)} requests, median {statistics.median(latencies) * 1000:.0f} ms, "
            f"max {max(latencies) * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
