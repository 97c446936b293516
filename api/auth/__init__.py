"""Authentication (passwords, JWTs, session cookie, API keys) and the role rules of every route.

The package: `security` (password hashes, tokens, CSRF tokens), `accounts` (users and API keys
in the database), `sessions` (who is calling, the cookie and CSRF checks), `throttle` (failed
logins), `roles` (who may do what). The routes under /auth are api.routes.auth.

Identity: people log in with a username and password (OAuth2 password flow, `POST /auth/token`,
or the browser form `POST /auth/login` that sets the HttpOnly cookie `tf_session`); both give a
JWT (HS256, signed with `TRENDFORGE_JWT_SECRET` or a secret generated once under the data dir).
Machines send `X-API-Key: tfk_<prefix>_<secret>`; keys are made by an admin, shown once, stored
as a SHA-256 hash and revocable. Precedence: `Authorization: Bearer` > `X-API-Key` > cookie.
The role is read from the database on every request, so a role change or a deactivated user
takes effect at once; a revoked key is refused at once. Sessions end on the server: a token
carries its id (`jti`) and the user's session epoch; logout records the cookie's id as revoked
(`RevokedSession`, kept until it expires), and deactivation, a role change or a password reset
(`PATCH /auth/users/{name}`, `trendforge users ...`) moves the epoch on, so every older token
of that user is refused. User names are compared case-insensitively.

Browser sessions: a cookie is sent by the browser on its own, so a state-changing request
(POST/PUT/PATCH/DELETE) authenticated by the cookie must also carry `X-CSRF-Token`, an HMAC of
the session that the pages put in `<meta name="csrf-token">` and `app.js` sends back; a request
that the browser marks as cross-site (`Sec-Fetch-Site`, or an `Origin` of another host) is
refused, the login and logout forms included. Bearer tokens and API keys are not sent by
browsers on their own and need neither. Failed logins are throttled as OWASP advises
(`LoginThrottle`): after `login_max_failures` failures for one user name from one address in
`login_window_s` the next attempt for it from there, right password or not, is a 429 with
`Retry-After`; after 10 times that from one address over any names, a wrong password from it
is a 429 while a right one still logs in. The address is the TCP peer, or the right-most
untrusted `X-Forwarded-For` entry when the peer is one of `trusted_proxies` (none by default).

Decision table (A = allowed, own = only the merchant who owns the idea, - = 403, anonymous is
401 everywhere except the public rows; admin is allowed everywhere):

| route                                   | anon | merchant | planner | viewer | machine |
| --------------------------------------- | ---- | -------- | ------- | ------ | ------- |
| GET /healthz, /readyz, /docs, /redoc,   | A    | A        | A       | A      | A       |
|   /openapi.json                         |      |          |         |        |         |
|   /metrics, /login, /static             |      |          |         |        |         |
| POST /auth/token, /auth/login, /logout  | A    | A        | A       | A      | A       |
| GET /auth/me                            | 401  | A        | A       | A      | A       |
| /auth/users[/{name}], /auth/api-keys    | 401  | -        | -       | -      | -       |
| POST /ideas, /ideas/upload              | 401  | own id   | -       | -      | -       |
| GET /ideas                              | 401  | own only | A       | A      | -       |
| GET /ideas/{id}[/variants, assets,      | 401  | own      | A       | A      | -       |
|   prototype, prototype file, sourcing,  |      |          |         |        |         |
|   match]                                |      |          |         |        |         |
| POST /ideas/{id}/selection, /cancel     | 401  | own      | -       | -      | -       |
| GET /ideas/{id}/compliance[/{market}/   | 401  | own      | A       | A      | -       |
|   lab-report, documents/{doc}]          |      |          |         |        |         |
| POST /ideas/{id}/compliance/{market}/   | 401  | own      | A       | -      | -       |
|   lab-report                            |      |          |         |        |         |
| POST /ideas/{id}/compliance/{market}/   | 401  | -        | A       | -      | -       |
|   waiver                                |      |          |         |        |         |
| GET /plans, /plans/{id}, its CSVs       | 401  | own only | A       | A      | A       |
| POST /plans/{id}/review, /whatif        | 401  | -        | A       | -      | -       |
| GET /runs/{id}                          | 401  | own      | A       | A      | A       |
| POST /runs/{id}/progress[/batch]        | 401  | -        | A       | -      | A       |
| POST /consignments/{id}/events          | 401  | -        | A       | -      | A       |
| GET /ideas/{id}/consignments/{c}/       | 401  | own      | A       | A      | -       |
|   packing-list, invoice                 |      |          |         |        |         |
| POST /ideas/{id}/consignments/{c}/      | 401  | -        | A       | -      | -       |
|   reship                                |      |          |         |        |         |
| POST /signals                           | 401  | -        | -       | -      | A bound |
| GET /, /leadtimes, /suppliers[/{id}],   | 401  | A own    | A       | A      | A bound |
|   /events, /app/fragments/dashboard     |      |          |         |        |         |
| GET /app/ideas[/{id}] and fragments     | 401* | own      | A       | A      | -       |
| GET /app/plans[/{id}] and fragments     | 401* | -        | A       | A      | -       |
| GET /app/factory[/replans/{id}]         | 401* | -        | A       | A      | -       |
| GET, POST /app/factory/lines, POST its  | 401* | -        | A       | -      | -       |
|   /import and /{line_id} (the forms)    |      |          |         |        |         |
| POST /suppliers/import                  | 401  | -        | A       | -      | -       |
| GET /factory/lines, /bookings.csv       | 401  | -        | A       | A      | A       |
| POST /factory/lines/import, /replans,   | 401  | -        | A       | -      | -       |
|   GET /factory/replans/{id}, POST its   |      |          |         |        |         |
|   decision                              |      |          |         |        |         |

(* and GET /: an anonymous page view is redirected to /login; the fragments and the forms'
POSTs answer 401.
"own": another merchant's idea, plan or run is a 404 with the body of a missing one, and lists
and projections hold only the caller's ideas; "bound": a machine key posts signals for, and sees
the ideas of, the merchant ids it was made for (`ApiKey.merchant_ids`, 403 for others).)

Anonymous reads are refused on purpose: idea texts, costs and plans are a merchant's business
data; only the health probe and the API description are public. tests/api/test_authz_matrix.py
holds the same table as data and checks every route of the app against it.
"""

from api.auth.accounts import (
    KEY_ROLES,
    USER_ROLES,
    USERNAME_PATTERN,
    Actor,
    authenticate_password,
    create_api_key,
    create_user,
    ensure_user,
    key_actor,
    revoke_api_key,
)
from api.auth.roles import (
    IDEA_READERS,
    PLAN_READERS,
    admin_only,
    idea_reader,
    person,
    plan_reader,
    require,
)
from api.auth.security import (
    AuthError,
    csrf_token,
    hash_password,
    issue_token,
    token_subject,
    verify_password,
)
from api.auth.sessions import (
    API_KEY_HEADER,
    COOKIE_NAME,
    CSRF_HEADER,
    AuthConfig,
    actor,
    optional_actor,
)
from api.auth.throttle import LoginThrottle

__all__ = [
    "API_KEY_HEADER",
    "COOKIE_NAME",
    "CSRF_HEADER",
    "IDEA_READERS",
    "KEY_ROLES",
    "PLAN_READERS",
    "USERNAME_PATTERN",
    "USER_ROLES",
    "Actor",
    "AuthConfig",
    "AuthError",
    "LoginThrottle",
    "actor",
    "admin_only",
    "authenticate_password",
    "create_api_key",
    "create_user",
    "csrf_token",
    "ensure_user",
    "hash_password",
    "idea_reader",
    "issue_token",
    "key_actor",
    "optional_actor",
    "person",
    "plan_reader",
    "require",
    "revoke_api_key",
    "token_subject",
    "verify_password",
]
