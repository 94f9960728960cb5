"""The service signature of README's "Signed service API", shared by the
Schemathesis hooks and the fault and soak runs, so both sign exactly as a
real app must."""

import hashlib
import hmac
import time
import uuid


def signed_headers(app_id, secret, method, target, body, transaction_id=None):
    """The four service headers for one request: `target` is the path with
    its query, `body` the exact bytes sent; a fresh transaction id unless
    one is given (a retry of the same order)."""
    req_time = str(int(time.time()))
    transaction_id = transaction_id or f"rel-{uuid.uuid4().hex}"
    text = "\n".join(
        [method.upper(), target, req_time, transaction_id, hashlib.sha256(body).hexdigest()]
    )
    sign = hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()
    return {
        "X-App-Id": app_id,
        "X-Req-Time": req_time,
        "X-Transaction-Id": transaction_id,
        "X-Sign": sign,
    }
