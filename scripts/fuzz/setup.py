"""Opens the fuzzer's two sessions: an ordinary user (made through the signed
service API, which vouches for the contact) and the super admin that
`scripts/reliability` created; also makes the account that staff and service
calls aimed at the user hit instead. Prints
"USER_TOKEN ADMIN_TOKEN USER_ID TARGET_ID"."""

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from hooks import create_user, login  # noqa: E402

user_id = create_user("fuzz-user@example.com")
target_id = create_user("fuzz-target@example.com")
print(login("fuzz-user@example.com"), login("fuzz-admin@example.com"), user_id, target_id)
