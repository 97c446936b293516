"""Credentials for tests: a real identity in the real database, as request headers."""


def auth_headers(engine, user: str, role: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Headers that authenticate `user` with `role` (replaced by real tokens with the auth work)."""
    return {"X-User": user, "X-Role": role}
