"""The HTTPS listener over a real socket: JSON errors for every path it does not serve, no redirects.

Azure answers unknown paths with JSON errors and sends no trailing-slash redirects; clients that get
plain text crash with "Expecting value", and a 307 to ``/subscriptions/`` broke ``az login``.
"""

from __future__ import annotations

import pytest

from tests.emulator_proc import EmulatorProcess
from tests.integration.test_control_plane import admin_token


class TestUnservedPaths:
    @pytest.mark.parametrize(
        ("path", "code"),
        [
            ("/no/such/path", "NotFound"),
            # Under /query/v1/ the query API answers in its own shape (Azure's PathNotFoundError).
            ("/query/v1/workspaces/x/query/", "PathNotFoundError"),
            ("/metadata/endpoints/", "NotFound"),
            ("/_emulator/health/", "NotFound"),
        ],
    )
    def test_unknown_path_is_json_404_without_redirect(
        self, emulator: EmulatorProcess, path: str, code: str
    ) -> None:
        """An unknown path (a trailing slash included) is a JSON 404, never a 307 (admin paths: with the key)."""
        with emulator.admin() if path.startswith("/_emulator") else emulator.https() as c:
            r = c.get(path, follow_redirects=False)
        assert r.status_code == 404, (r.status_code, r.headers.get("location"))
        assert r.headers["content-type"].startswith("application/json")
        err = r.json()["error"]
        assert err["code"] == code
        if code == "NotFound":
            assert path in err["message"]

    def test_wrong_method_is_json_405(self, emulator: EmulatorProcess) -> None:
        """A served path with a method it does not take is a JSON 405 with Allow."""
        with emulator.https() as c:
            r = c.delete("/metadata/endpoints", params={"api-version": "2022-09-01"})
        assert r.status_code == 405
        assert r.json()["error"]["code"] == "MethodNotAllowed"
        assert "GET" in r.headers["allow"]

    def test_subscriptions_without_slash_is_answered(self, emulator: EmulatorProcess) -> None:
        """`az login`'s GET /subscriptions is answered at once (no 307 to /subscriptions/)."""
        token = admin_token(emulator)
        with emulator.https() as c:
            r = c.get(
                "/subscriptions",
                params={"api-version": "2022-12-01"},
                headers={"Authorization": f"Bearer {token}"},
                follow_redirects=False,
            )
        assert r.status_code == 200, r.text
        assert [s["subscriptionId"] for s in r.json()["value"]] == [emulator.info.subscription_id]

    def test_cloud_metadata_over_https(self, emulator: EmulatorProcess) -> None:
        """GET /metadata/endpoints (az cloud register autodetect) points at this emulator's listener."""
        with emulator.https() as c:
            r = c.get("/metadata/endpoints", params={"api-version": "2022-09-01"})
        assert r.status_code == 200, r.text
        assert r.json()["resourceManager"] == emulator.info.endpoints.arm + "/"
        assert r.json()["authentication"]["loginEndpoint"] == emulator.info.endpoints.authority
