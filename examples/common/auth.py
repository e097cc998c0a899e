"""Bearer-token authentication for the example apps.

Demo only: two static tokens, no expiry, no signature. A real service would verify a JWT here;
what matters for the examples is that every authenticated handler receives the caller's identity
as a dict `{"user_id": ..., "role": ...}`:

- FastAPI: `current_user: dict = Depends(get_current_user)`
- Flask:   `@login_required`, then `g.user`
"""

from __future__ import annotations

import hmac
from functools import wraps
from typing import Any, Callable, TypeVar

from fastapi import Depends, Header, HTTPException, status
from flask import abort, g, request

# token -> identity. The seed script creates the matching users (alice, bob) in the users table.
DEMO_TOKENS: dict[str, dict[str, str]] = {
    "alice-token": {"user_id": "alice", "role": "user"},
    "bob-token": {"user_id": "bob", "role": "user"},
}

F = TypeVar("F", bound=Callable[..., Any])


def user_for_token(token: str) -> dict[str, str] | None:
    """Return a copy of the identity for `token`, or None. Constant-time comparison."""
    found = None
    for known, identity in DEMO_TOKENS.items():
        if hmac.compare_digest(known.encode(), token.encode()):
            found = identity
    return dict(found) if found is not None else None


def bearer_token(authorization: str | None) -> str | None:
    """Extract the token from an `Authorization: Bearer <token>` header value."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return token


# --- FastAPI -----------------------------------------------------------------------------------


def get_current_user(authorization: str | None = Header(default=None)) -> dict:
    """FastAPI dependency: the authenticated caller, or 401.

    The header is optional at the FastAPI level so that a missing header yields 401 (not 422).
    """
    token = bearer_token(authorization)
    user = user_for_token(token) if token else None
    if user is None:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Not authenticated",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user


def get_current_user_id(current_user: dict = Depends(get_current_user)) -> str:
    """FastAPI dependency for handlers that only need the caller's id."""
    return current_user["user_id"]


# --- Flask -------------------------------------------------------------------------------------


def login_required(view: F) -> F:
    """Flask decorator: sets `g.user` to the authenticated caller, or aborts with 401."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        token = bearer_token(request.headers.get("Authorization"))
        user = user_for_token(token) if token else None
        if user is None:
            abort(401)
        g.user = user
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
