"""Schemathesis hooks for `scripts/reliability`: who calls each operation.

Every generated request gets the credentials its operation documents, so the
fuzzer reaches the handlers instead of stopping at `401`:

- `/api/v1/service/...`: signed as README's "Signed service API" says, with an
  app holding every scope (the signature covers the exact body bytes, so the
  hook serialises the body itself);
- `/api/v1/admin/...`: the super admin's Bearer token;
- everything else that documents `bearer`: an ordinary user's Bearer token.

Operations that end or lock the caller's session (logout, revoking sessions,
closing the account, changing the password) get a fresh session of a
throwaway account for every call, so they cannot sign the shared users out.

Settings come from the environment, written by `scripts/reliability`:
`UC_FUZZ_URL`, `UC_FUZZ_USER_TOKEN`, `UC_FUZZ_ADMIN_TOKEN`, `UC_FUZZ_APP_ID`,
`UC_FUZZ_APP_SECRET`, `UC_FUZZ_PASSWORD`.
"""

import itertools
import json
import os
import sys

import requests
import schemathesis

sys.path.insert(0, os.path.dirname(__file__))
from signing import signed_headers  # noqa: E402

URL = os.environ["UC_FUZZ_URL"]
# Absent while scripts/fuzz/setup.py opens these sessions.
USER_TOKEN = os.environ.get("UC_FUZZ_USER_TOKEN", "")
ADMIN_TOKEN = os.environ.get("UC_FUZZ_ADMIN_TOKEN", "")
# The shared user's id, and another account that staff and service calls aimed
# at the shared user hit instead: freezing or closing the shared user, or
# turning its sign-in off, would end its session for the rest of the run.
USER_ID = os.environ.get("UC_FUZZ_USER_ID", "")
TARGET_ID = os.environ.get("UC_FUZZ_TARGET_ID", "")
APP_ID = os.environ["UC_FUZZ_APP_ID"]
APP_SECRET = os.environ["UC_FUZZ_APP_SECRET"]
PASSWORD = os.environ["UC_FUZZ_PASSWORD"]

# Operations that end the caller's session, or take its password (five wrong
# re-entries in a row revoke the session).
SESSION_ENDING = {
    ("POST", "/wallet/pin"),
    ("POST", "/auth/logout"),
    ("POST", "/sessions/revoke-others"),
    ("DELETE", "/sessions/{id}"),
    ("POST", "/me/close"),
    ("POST", "/me/password"),
    ("POST", "/me/contact"),
}

_throwaway = itertools.count()


def _signed_headers(method, target, body):
    """The four service headers for one request (README: Signed service API)."""
    return signed_headers(APP_ID, APP_SECRET, method, target, body)


def create_user(email):
    """A new account, opened through the signed service API (which vouches
    for the contact); returns its id."""
    body = json.dumps({"email": email, "password": PASSWORD}).encode()
    target = "/api/v1/service/users"
    headers = {"Content-Type": "application/json", **_signed_headers("POST", target, body)}
    r = requests.post(URL + target, data=body, headers=headers, timeout=30)
    r.raise_for_status()
    return r.json()["id"]


def login(identifier):
    """A new session of `identifier`; returns its access token."""
    r = requests.post(
        URL + "/api/v1/auth/login",
        json={"identifier": identifier, "password": PASSWORD},
        timeout=30,
    )
    r.raise_for_status()
    return r.json()["token"]


def _throwaway_token():
    """A new account's session."""
    email = f"throwaway-{os.getpid()}-{next(_throwaway)}@example.com"
    create_user(email)
    return login(email)


def _relative_path(case):
    """The operation's path below `/api/v1`, as the document writes it."""
    path = case.operation.path
    return path[len("/api/v1") :] if path.startswith("/api/v1") else path


def _spare_the_shared_user(case):
    params = case.path_parameters or {}
    if str(params.get("id")) == USER_ID:
        params["id"] = int(TARGET_ID)
    if isinstance(case.body, dict):
        for key in ("user_id", "from_user_id", "to_user_id"):
            if str(case.body.get(key)) == USER_ID:
                case.body[key] = int(TARGET_ID)


@schemathesis.hook
def before_call(context, case, kwargs):
    method = case.method.upper()
    rel = _relative_path(case)
    headers = case.headers if case.headers is not None else {}
    if rel.startswith(("/admin/", "/service/")):
        _spare_the_shared_user(case)
    if rel.startswith("/service/"):
        # Serialise the body here, so the signed bytes are the sent bytes.
        body = b""
        if isinstance(case.body, (bytes, bytearray)):
            body = bytes(case.body)
        elif case.body is not None and type(case.body).__name__ != "NotSet":
            body = json.dumps(case.body).encode()
            headers["Content-Type"] = "application/json"
        prepared = requests.Request(
            method, URL + case.formatted_path, params=case.query or None
        ).prepare()
        headers.update(_signed_headers(method, prepared.path_url, body))
        kwargs["data"] = body
    elif rel.startswith("/admin/"):
        headers["Authorization"] = f"Bearer {ADMIN_TOKEN}"
    elif (method, rel) in SESSION_ENDING:
        headers["Authorization"] = f"Bearer {_throwaway_token()}"
    else:
        headers["Authorization"] = f"Bearer {USER_TOKEN}"
    case.headers = headers

