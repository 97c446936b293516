"""The password of every user the tests make, and the type of the auth_headers fixture."""

from collections.abc import Callable

TEST_PASSWORD = "correct horse battery staple"

# auth_headers(name, role): request headers of a real user (or, for "machine", an API key)
AuthHeaders = Callable[[str, str], dict[str, str]]
