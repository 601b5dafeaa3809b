"""Token cache: fetched once, shared, refreshed early, replaced after a 401, never shown."""

from __future__ import annotations

import asyncio
import threading

import pytest
from azure.identity import CredentialUnavailableError
from ingest_fakes import OID, FakeAsyncCredential, FakeCredential, FakeInfoCredential, make_jwt

from azlogs._exceptions import AuthError, IdentitySourceError, TokenRequestError
from azlogs.auth._tokens import (
    REFRESH_RETRY,
    SCOPE,
    AsyncTokenCache,
    Token,
    TokenCache,
    decode_claims,
    refresh_time,
)


class Wall:
    """An adjustable wall clock."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class TestRefreshTime:
    def test_long_token_refreshed_five_minutes_early(self) -> None:
        """A 1-hour token is refreshed 5 minutes before it expires."""
        assert refresh_time(0.0, 3600.0) == 3300.0

    def test_short_token_refreshed_at_half_life(self) -> None:
        """A token living under 10 minutes is refreshed at half-life."""
        assert refresh_time(100.0, 400.0) == 250.0

    def test_refresh_on_advice_is_honoured_when_earlier(self) -> None:
        """The credential's refresh_on wins when it is earlier; a past one is ignored."""
        assert refresh_time(0.0, 86_400.0, refresh_on=43_200.0) == 43_200.0
        assert refresh_time(0.0, 3600.0, refresh_on=3500.0) == 3300.0
        assert refresh_time(100.0, 3700.0, refresh_on=50.0) == 3400.0


class TestTokenObject:
    def test_claims_and_object_id(self) -> None:
        """Claims are read from the payload without verification; oid is the object id."""
        token = Token(make_jwt({"oid": OID, "tid": "t"}), 2000.0, 1000.0)
        assert token.object_id == OID and token.claims["tid"] == "t"

    def test_unreadable_token_has_no_claims(self) -> None:
        """A token that is not a JWT has no claims (and no crash)."""
        assert decode_claims("opaque-token") == {}
        assert decode_claims("a.!!!.c") == {}
        assert Token("opaque", 2000.0, 1000.0).object_id is None

    def test_repr_never_shows_the_token(self) -> None:
        """repr and str of a Token redact it."""
        value = make_jwt({"oid": OID})
        token = Token(value, 2000.0, 1000.0)
        assert value not in repr(token) and value not in str(token)
        assert value.split(".")[1] not in repr(token)


class TestTokenCache:
    def test_fetched_once_and_reused(self) -> None:
        """Many gets before the refresh time ask the credential once, for the monitor scope."""
        wall = Wall()
        cred = FakeCredential(now=wall)
        cache = TokenCache(cred, now=wall)
        tokens = {cache.get().value for _ in range(100)}
        assert len(tokens) == 1 and cred.calls == 1
        assert cred.scopes == [(SCOPE,)] and SCOPE == "https://monitor.azure.com/.default"

    def test_refreshed_before_expiry(self) -> None:
        """Past the refresh time (but before expiry) the next get fetches a new token."""
        wall = Wall()
        cred = FakeCredential(now=wall, lifetime=3600)
        cache = TokenCache(cred, now=wall)
        first = cache.get()
        wall.now += 3299
        assert cache.get() is first
        wall.now += 2
        second = cache.get()
        assert second is not first and cred.calls == 2
        assert wall.now < first.expires_on

    def test_failed_early_refresh_keeps_the_valid_token(self) -> None:
        """If the early refresh fails, the still-valid token is used; refresh is retried later."""
        wall = Wall()
        cred = FakeCredential(now=wall, lifetime=3600)
        cache = TokenCache(cred, now=wall)
        first = cache.get()
        wall.now += 3400
        cred.fail_first = cred.calls + 1  # the next call fails
        assert cache.get() is first and cred.calls == 2
        assert cache.get() is first and cred.calls == 2  # not hammered
        wall.now += REFRESH_RETRY
        assert cache.get() is not first and cred.calls == 3

    def test_expired_token_and_failing_credential_raise(self) -> None:
        """With no usable token, a credential failure is a retryable AuthError."""
        wall = Wall()
        cred = FakeCredential(now=wall, fail_first=1)
        cache = TokenCache(cred, now=wall)
        with pytest.raises(TokenRequestError) as info:
            cache.get()
        assert info.value.retryable and isinstance(info.value, AuthError)
        assert cache.get().value == cred.issued[0]

    def test_no_identity_is_permanent(self) -> None:
        """CredentialUnavailableError becomes IdentitySourceError, not retryable, with a hint."""
        cache = TokenCache(FakeCredential(fail_first=1, error=CredentialUnavailableError("no IMDS")))
        with pytest.raises(IdentitySourceError) as info:
            cache.get()
        assert not info.value.retryable and "managed identity" in str(info.value)

    def test_rejected_token_is_replaced_once(self) -> None:
        """get(rejected=t) fetches a new token; a second caller with the same t gets that new one."""
        wall = Wall()
        cred = FakeCredential(now=wall)
        cache = TokenCache(cred, now=wall)
        old = cache.get()
        new = cache.get(rejected=old)
        assert new is not old and cred.calls == 2
        assert cache.get(rejected=old) is new and cred.calls == 2

    def test_single_flight_under_threads(self) -> None:
        """Concurrent first gets share one fetch."""
        cred = FakeCredential(delay=0.05)
        cache = TokenCache(cred)
        barrier = threading.Barrier(12)
        got: list[str] = []

        def worker() -> None:
            barrier.wait()
            got.append(cache.get().value)

        threads = [threading.Thread(target=worker) for _ in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert cred.calls == 1 and len(set(got)) == 1 and len(got) == 12

    def test_token_info_refresh_on(self) -> None:
        """get_token_info's refresh_on brings the refresh forward."""
        wall = Wall()
        cred = FakeInfoCredential(now=wall, lifetime=86_400, refresh_in=600)
        cache = TokenCache(cred, now=wall)
        first = cache.get()
        wall.now += 601
        assert cache.get() is not first and cred.calls == 2


class TestAsyncTokenCache:
    async def test_single_flight_with_gather(self) -> None:
        """Concurrent coroutines share one fetch from an async credential."""
        cred = FakeAsyncCredential()
        cache = AsyncTokenCache(cred)
        tokens = await asyncio.gather(*(cache.get() for _ in range(20)))
        assert cred.calls == 1 and len({t.value for t in tokens}) == 1

    async def test_sync_credential_runs_in_a_thread(self) -> None:
        """A sync credential works with the async cache."""
        cred = FakeCredential()
        cache = AsyncTokenCache(cred)
        assert (await cache.get()).object_id == OID and cred.calls == 1

    async def test_refresh_and_rejection(self) -> None:
        """Refresh before expiry and replacement after a 401 work as in the sync cache."""
        wall = Wall()
        cred = FakeAsyncCredential(now=wall, lifetime=3600)
        cache = AsyncTokenCache(cred, now=wall)
        first = await cache.get()
        wall.now += 3301
        second = await cache.get()
        assert second is not first
        third = await cache.get(rejected=second)
        assert third is not second and cred.calls == 3
        assert await cache.get(rejected=second) is third

    async def test_failure_maps_to_auth_error(self) -> None:
        """An async credential failure is a retryable AuthError."""
        cache = AsyncTokenCache(FakeAsyncCredential(fail_first=1))
        with pytest.raises(TokenRequestError):
            await cache.get()


def test_unknown_resource_is_permanent_and_names_the_cloud() -> None:
    """AADSTS500011 (another cloud's audience), even inside CredentialUnavailableError, is permanent and says --cloud."""
    from azure.identity import CredentialUnavailableError

    from azlogs.auth._tokens import map_credential_error

    err = map_credential_error(
        CredentialUnavailableError(
            "ManagedIdentityCredential authentication unavailable. Token request error: (invalid_resource) "
            "AADSTS500011: The resource principal named https://monitor.azure.com was not found in the tenant"
        )
    )
    assert not err.retryable and "AADSTS500011" in err.message and "--cloud" in (err.hint or "")
