"""Opens the fuzzer's two sessions: an ordinary user (made through the signed
service API, which vouches for the contact) and the super admin that
`scripts/reliability` created; also makes the account that staff and service
calls aimed at the user hit instead. Prints
"USER_TOKEN ADMIN_TOKEN USER_ID TARGET_ID"."""

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import requests  # noqa: E402

from hooks import PASSWORD, URL, _signed_headers  # noqa: E402


def create_user(email):
    import json

    body = json.dumps({"email": email, "password": PASSWORD}).encode()
    target = "/api/v1/service/users"
    headers = {"Content-Type": "application/json", **_signed_headers("POST", target, body)}
    r = requests.post(URL + target, data=body, headers=headers, timeout=30)
    r.raise_for_status()
    return r.json()["id"]


def login(identifier):
    r = requests.post(
        URL + "/api/v1/auth/login",
        json={"identifier": identifier, "password": PASSWORD},
        timeout=30,
    )
    r.raise_for_status()
    return r.json()["token"]


user_id = create_user("fuzz-user@example.com")
target_id = create_user("fuzz-target@example.com")
print(login("fuzz-user@example.com"), login("fuzz-admin@example.com"), user_id, target_id)
