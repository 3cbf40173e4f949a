"""A JWT bearer-token placeholder guarding the write endpoints.

Replace it with your identity provider's verification (JWKS, RS256) when
you have one; the dependency's contract (a `Principal` or a 401) stays.
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


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str
    scopes: frozenset[str]


ANONYMOUS_DEVELOPER = Principal(subject="dev", scopes=frozenset({"*"}))


def _unauthorized(detail: str) -> ProblemError:
    return ProblemError(401, detail, headers={"WWW-Authenticate": "Bearer"})


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
        raise _unauthorized("The token has expired.") from exc
    except jwt.InvalidTokenError as exc:
        raise _unauthorized("The token is invalid.") from exc
    scope = claims.get("scope", "")
    scopes = frozenset(scope.split()) if isinstance(scope, str) else frozenset()
    return Principal(subject=str(claims["sub"]), scopes=scopes)


async def require_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    settings: Settings = request.app.state.settings
    if settings.auth_disabled:
        return ANONYMOUS_DEVELOPER
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthorized("A bearer token is required.")
    return decode_token(credentials.credentials, settings)


PrincipalDep = Annotated[Principal, Depends(require_principal)]
