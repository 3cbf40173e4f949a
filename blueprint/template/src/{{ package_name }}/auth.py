"""JWT bearer tokens and the scopes the API enforces.

Every route under /api is guarded by `authorize` (main.py): a write (POST,
PUT, PATCH, DELETE) needs the write scope (`AUTH_WRITE_SCOPE`); reads are
open unless `AUTH_REQUIRE_READ=true`, which makes them need the read or the
write scope (`AUTH_READ_SCOPE`). A missing or invalid token
is a 401, a valid token without the scope a 403, both RFC 9457 problems
with an RFC 6750 `WWW-Authenticate` challenge.

The verification is a placeholder (HS256 with a shared secret): replace
`decode_token` with your identity provider's (JWKS, RS256) when you have
one; the contract (a `Principal`, or a 401) stays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .config import Settings
from .problems import ProblemError

_bearer = HTTPBearer(auto_error=False)

# Methods that change nothing; every other method is a write.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ANY_SCOPE = "*"


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str
    scopes: frozenset[str]

    def has_scope(self, scope: str) -> bool:
        return ANY_SCOPE in self.scopes or scope in self.scopes


ANONYMOUS_DEVELOPER = Principal(subject="dev", scopes=frozenset({ANY_SCOPE}))


def _unauthorized(detail: str, *, invalid_token: bool = False) -> ProblemError:
    challenge = 'Bearer error="invalid_token"' if invalid_token else "Bearer"
    return ProblemError(401, detail, headers={"WWW-Authenticate": challenge})


def _forbidden(scope: str) -> ProblemError:
    challenge = f'Bearer error="insufficient_scope", scope="{scope}"'
    return ProblemError(
        403,
        f"The token lacks the {scope!r} scope.",
        headers={"WWW-Authenticate": challenge},
        required_scope=scope,
    )


def _scopes(claims: dict[str, object]) -> frozenset[str]:
    """`scope` (RFC 8693: a space-separated string) or `scp` (a list)."""
    scope = claims.get("scope")
    if isinstance(scope, str):
        return frozenset(scope.split())
    scp = claims.get("scp")
    if isinstance(scp, list) and all(isinstance(item, str) for item in scp):
        return frozenset(scp)
    return frozenset()


def decode_token(token: str, settings: Settings) -> Principal:
    """Verify signature, expiry, issuer and audience; all four are required."""
    if settings.jwt_secret is None:  # only when auth is disabled
        raise _unauthorized("Authentication is not configured.")
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret.get_secret_value(),
            algorithms=[settings.jwt_algorithm],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": ["exp", "iss", "aud", "sub"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise _unauthorized("The token has expired.", invalid_token=True) from exc
    except jwt.InvalidTokenError as exc:
        raise _unauthorized("The token is invalid.", invalid_token=True) from exc
    return Principal(subject=str(claims["sub"]), scopes=_scopes(claims))


async def require_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """Any valid token, whatever its scopes (or the developer, auth disabled)."""
    settings: Settings = request.app.state.settings
    if settings.auth_disabled:
        return ANONYMOUS_DEVELOPER
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthorized("A bearer token is required.")
    return decode_token(credentials.credentials, settings)


async def authorize(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    """The scope this request's method needs; None for an open read."""
    settings: Settings = request.app.state.settings
    needed: tuple[str, ...]
    if request.method in SAFE_METHODS:
        if not settings.auth_require_read:
            return None
        needed = (settings.auth_read_scope, settings.auth_write_scope)
    else:
        needed = (settings.auth_write_scope,)
    principal = await require_principal(request, credentials)
    if not any(principal.has_scope(scope) for scope in needed):
        raise _forbidden(needed[0])
    return principal


PrincipalDep = Annotated[Principal, Depends(require_principal)]
AuthorizedDep = Annotated[Principal | None, Depends(authorize)]
