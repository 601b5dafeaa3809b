"""An Entra-like token issuer: one RSA signing key per tenant, RS256 JWTs, OIDC metadata and JWKS.

Tokens carry the claims of real v1 app-only tokens (what managed identities and client-credentials
flows receive for Azure resources): ``aud`` is the requested resource exactly as asked (with or
without a trailing slash), ``iss`` is ``https://sts.windows.net/{tid}/``, and managed identities
carry ``xms_mirid``. Verification fixes the algorithm to RS256 and never reads it from the header.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from azlogs.emulator.config import Identity

ALGORITHM = "RS256"
LEEWAY_SECONDS = 300  # Azure services tolerate about 5 minutes of clock skew


def v1_issuer(tenant_id: str) -> str:
    return f"https://sts.windows.net/{tenant_id}/"


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class TokenRejected(Exception):
    """A token that failed validation; ``code`` is the service-style error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey

    @property
    def public_jwk(self) -> dict[str, Any]:
        numbers = self.private_key.public_key().public_numbers()
        return {
            "kty": "RSA",
            "use": "sig",
            "alg": ALGORITHM,
            "kid": self.kid,
            "x5t": self.kid,
            "n": _b64url_uint(numbers.n),
            "e": _b64url_uint(numbers.e),
        }


def load_or_create_key(path: Path | None) -> SigningKey:
    """The signing key kept at ``path`` (PEM), or a new one; ``None`` keeps it in memory only."""
    if path is not None and path.exists():
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(loaded, rsa.RSAPrivateKey):
            raise TypeError(f"{path} is not an RSA key")
        key = loaded
    else:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            pem = key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(pem)
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    kid = base64.urlsafe_b64encode(hashlib.sha1(der).digest()).rstrip(b"=").decode()  # noqa: S324 - a key id, like x5t
    return SigningKey(kid, key)


class Issuer:
    """Mints and validates the tenant's access tokens."""

    def __init__(self, tenant_id: str, key: SigningKey, *, clock: Any = time.time) -> None:
        self.tenant_id = tenant_id
        self.key = key
        self.issuer = v1_issuer(tenant_id)
        self._clock = clock

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.key.public_jwk | {"issuer": self.issuer}]}

    def mint(
        self,
        identity: Identity,
        resource: str,
        lifetime: int,
        *,
        acr: str = "2",
        roles: Iterable[str] = (),
    ) -> tuple[str, dict[str, Any]]:
        """Return (token, claims) for ``identity`` and audience ``resource``.

        ``roles``: the application permissions the identity holds on ``resource`` (Entra's ``roles``
        claim of app-only tokens), omitted when there are none, as Entra omits it.
        """
        now = int(self._clock())
        claims: dict[str, Any] = {
            "aud": resource,
            "iss": self.issuer,
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
            "aio": secrets.token_urlsafe(24),
            "appid": identity.client_id,
            "appidacr": acr,
            "idp": self.issuer,
            "idtyp": "app",
            "oid": identity.principal_id,
            "rh": secrets.token_urlsafe(16),
            "sub": identity.principal_id,
            "tid": self.tenant_id,
            "uti": secrets.token_urlsafe(16),
            "ver": "1.0",
        }
        if identity.kind in ("system-assigned", "user-assigned") and identity.resource_id:
            claims["xms_mirid"] = identity.resource_id
        granted = sorted(set(roles))
        if granted:
            claims["roles"] = granted
        token = jwt.encode(
            claims,
            self.key.private_key,
            algorithm=ALGORITHM,
            headers={"kid": self.key.kid, "x5t": self.key.kid},
        )
        return token, claims

    def validate(self, token: str, audiences: Iterable[str]) -> dict[str, Any]:
        """Validate signature, algorithm, issuer, audience, expiry and not-before.

        Raises:
            TokenRejected: with a code the ingestion and query planes turn into their 401 shape.
        """
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as exc:
            raise TokenRejected("InvalidAuthenticationToken", "The access token is malformed.") from exc
        if header.get("alg") != ALGORITHM:
            raise TokenRejected(
                "InvalidAuthenticationToken",
                f"The access token's signing algorithm {header.get('alg')!r} is not accepted; only RS256 is.",
            )
        if header.get("kid") != self.key.kid:
            raise TokenRejected(
                "InvalidAuthenticationToken",
                "The access token is signed by a key this tenant does not publish.",
            )
        try:
            return jwt.decode(
                token,
                self.key.private_key.public_key(),
                algorithms=[ALGORITHM],
                audience=list(audiences),
                issuer=self.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "nbf", "iat", "aud", "iss", "oid", "tid"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise TokenRejected("ExpiredAuthenticationToken", "The access token has expired.") from exc
        except jwt.ImmatureSignatureError as exc:
            raise TokenRejected(
                "InvalidAuthenticationToken", "The access token is not yet valid (nbf)."
            ) from exc
        except jwt.InvalidAudienceError as exc:
            raise TokenRejected(
                "InvalidAudience", "The access token has an audience this service does not accept."
            ) from exc
        except jwt.InvalidIssuerError as exc:
            raise TokenRejected(
                "InvalidIssuer", "The access token was issued by an issuer this tenant does not trust."
            ) from exc
        except jwt.InvalidSignatureError as exc:
            raise TokenRejected(
                "InvalidAuthenticationToken", "The access token's signature is invalid."
            ) from exc
        except jwt.InvalidTokenError as exc:
            raise TokenRejected("InvalidAuthenticationToken", f"The access token is invalid: {exc}") from exc


class ServiceAccountIssuer:
    """The OIDC issuer of the emulated Kubernetes cluster that signs projected service-account tokens."""

    def __init__(self, issuer_url: str, key: SigningKey, *, clock: Any = time.time) -> None:
        self.issuer = issuer_url
        self.key = key
        self._clock = clock

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.key.public_jwk]}

    def mint(self, subject: str, audience: str, lifetime: int) -> str:
        now = int(self._clock())
        claims = {
            "aud": [audience],
            "iss": self.issuer,
            "sub": subject,
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
            "jti": str(uuid.uuid4()),
            "kubernetes.io": {"namespace": subject.split(":")[2] if subject.count(":") >= 3 else "default"},
        }
        return jwt.encode(claims, self.key.private_key, algorithm=ALGORITHM, headers={"kid": self.key.kid})

    def validate(self, assertion: str, audience: str) -> dict[str, Any]:
        """Validate a client assertion; raises jwt.InvalidTokenError subclasses."""
        return jwt.decode(
            assertion,
            self.key.private_key.public_key(),
            algorithms=[ALGORITHM],
            audience=audience,
            issuer=self.issuer,
            leeway=0,
            options={"require": ["exp", "iss", "sub", "aud"]},
        )
