#!/usr/bin/env python3
"""An example adapter for sandbank's client conformance suite
(docs/conformance.md), in Python (>= 3.9) with the standard library only.

    sandbank conformance run --adapter "python3 examples/adapters/python/adapter.py"

The suite runs `adapter.py <operation>` once per operation, with the
operation's input (JSON) on stdin and SANDBANK_* in the environment; it
prints the result (JSON) on stdout. Exit status 0: done; 3: not
implemented; anything else: the client gave up.

To grade YOUR client, replace the SandbankClient class (between the two
"your client" markers) with calls into your own code, keeping its real
retry policy, timeouts and key handling.
"""

import base64
import hashlib
import hmac
import http.client
import json
import os
import random
import re
import secrets
import signal
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# ---- your client: replace from here -----------------------------------------

# The retry policy.
ATTEMPT_TIMEOUT = 2.0  # seconds per attempt (see _send for the body)
BASE_DELAY = 0.5  # first backoff; doubles...
MAX_DELAY = 8.0  # ...up to this
MAX_FAILURES = 5  # failed attempts before giving up
MAX_RETRY_AFTER = 10.0  # a longer Retry-After: give up rather than hang
DEADLINE = 30.0  # for the whole operation, retries included

# Conflicts (the first request with this key is still running), rate limits
# and server errors are worth another try. Other 4xx (400, 401, 402, 403,
# 404, 422...) are not: the same request would get the same answer, and
# retrying a declined card looks like card testing.
RETRYABLE = {409, 429, 500, 502, 503, 504}

# A direct connection to the API (no proxy from the environment).
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class ApiError(Exception):
    def __init__(self, status, body):
        super().__init__(f"HTTP {status}: {body}")
        self.status = status


class SandbankClient:
    def __init__(self, base_url, client_id, client_secret, token_url):
        self.base_url = base_url
        self.client_id, self.client_secret, self.token_url = client_id, client_secret, token_url
        self.token = None  # the current access token (OAuth client credentials)
        self.not_before = 0.0  # RateLimit said the window is used up until then

    def request(self, method, path, body=None):
        """Sends one logical request, retrying it as a whole, and returns
        the final 2xx answer's JSON."""
        deadline = time.monotonic() + DEADLINE
        # Serialized once: every retry sends the very same bytes.
        payload = None if body is None else json.dumps(body).encode()
        # One key per operation, created BEFORE the first attempt and reused
        # on every retry: that is what lets the server recognise a retry of a
        # payment it already made (after a timeout, a reset...) and answer
        # with that payment instead of charging twice.
        key = secrets.token_hex(16) if method == "POST" else None
        failures, refreshed = 0, False
        while True:
            time.sleep(max(0.0, self.not_before - time.time()))
            wait, error = 0.0, None
            try:
                status, headers, text = self._send(method, path, payload, key)
            except (OSError, http.client.HTTPException) as err:
                # A network error or a timeout: the request may or may not
                # have been applied. Retrying is safe because of the key.
                error = err
                failures += 1
            else:
                if 200 <= status < 300:
                    self._note_rate_limit(headers.get("RateLimit", ""))
                    return json.loads(text) if text else None
                if status == 401 and not refreshed and 'error="invalid_token"' in headers.get("WWW-Authenticate", ""):
                    # The access token expired: get a new one, once, and
                    # replay (same key, same body). This is not a failure.
                    refreshed, self.token = True, None
                    continue
                if status not in RETRYABLE:
                    raise ApiError(status, text)
                wait = retry_after(headers.get("Retry-After"))
                if wait > MAX_RETRY_AFTER:
                    raise ApiError(status, "Retry-After too long: " + headers.get("Retry-After"))
                # 409: the first request with this key is still running. That
                # is not a failure: wait for it (within the deadline), and the
                # retry gets its result.
                if status != 409:
                    failures += 1
            if failures >= MAX_FAILURES:
                raise error or ApiError(status, text)
            wait = wait or backoff(max(failures, 1))
            if time.monotonic() + wait > deadline:
                raise error or ApiError(status, text + " (no time left to retry)")
            time.sleep(wait)

    def _send(self, method, path, payload, key):
        """One attempt: (status, headers, body text). Raises on network
        errors and timeouts."""
        token = self.token or self._fetch_token()
        req = urllib.request.Request(self.base_url + path, data=payload, method=method)
        req.add_header("Authorization", "Bearer " + token)
        if payload is not None:
            req.add_header("Content-Type", "application/json")
        if key:
            req.add_header("Idempotency-Key", key)
        try:
            # timeout= bounds each blocking socket operation: connecting,
            # waiting for the headers, and each read of the body (a body that
            # stalls after the headers times out too).
            with _opener.open(req, timeout=ATTEMPT_TIMEOUT) as resp:
                return resp.status, resp.headers, resp.read().decode()
        except urllib.error.HTTPError as err:  # a non-2xx answer
            with err:
                return err.code, err.headers, err.read().decode()

    def _fetch_token(self):
        form = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": self.client_id,
                                       "client_secret": self.client_secret}).encode()
        req = urllib.request.Request(self.token_url, data=form, method="POST")
        with _opener.open(req, timeout=ATTEMPT_TIMEOUT) as resp:
            self.token = json.loads(resp.read())["access_token"]
        return self.token

    def _note_rate_limit(self, header):
        """`RateLimit: "default";r=0;t=5` says no request is left in the
        window, which resets in 5 s: the next request waits until then."""
        remaining = re.search(r"(?:^|;)\s*r=(\d+)", header)
        reset = re.search(r"(?:^|;)\s*t=(\d+)", header)
        if remaining and reset and int(remaining.group(1)) == 0 and int(reset.group(1)) <= MAX_RETRY_AFTER:
            self.not_before = time.time() + int(reset.group(1))

    # The API calls.

    def create_payment(self, amount, currency, card, description):
        return self.request("POST", "/v1/payments", {
            "amount": amount, "currency": currency, "confirm": True, "description": description,
            "payment_method_data": {"type": "card", "card": card},
        })

    def create_transfer(self, account_id, amount, currency, pix_key, description):
        return self.request("POST", "/v1/transfers", {
            "rail": "pix", "debtor_account_id": account_id, "amount": amount, "currency": currency,
            "creditor": {"pix_key": pix_key}, "description": description,
        })

    def create_refund(self, payment_id, amount):
        return self.request("POST", "/v1/refunds", {"payment_id": payment_id, "amount": amount})

    def get_payment(self, payment_id):
        return self.request("GET", "/v1/payments/" + urllib.parse.quote(payment_id, safe=""))

    def list_transactions(self, account_id, page_size):
        """Every line, all pages, following the cursor (never offsets: lines
        booked during the walk would shift them)."""
        ids, cursor = [], None
        while True:
            path = f"/v1/accounts/{urllib.parse.quote(account_id, safe='')}/transactions?limit={page_size}"
            if cursor:
                path += "&cursor=" + urllib.parse.quote(cursor, safe="")
            page = self.request("GET", path)
            ids.extend(line["id"] for line in page["data"])
            if not page["has_more"]:
                return ids
            cursor = page["next_cursor"]


def retry_after(value):
    """Retry-After is seconds ("3") or an HTTP-date ("Sat, 21 Nov 2026 15:35:43 GMT")."""
    if not value:
        return 0.0
    if value.strip().isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return 0.0


def backoff(n):
    """The wait after the nth failure: exponential backoff with "equal
    jitter" (half fixed, half random), so that clients that failed together
    do not all retry together."""
    d = min(BASE_DELAY * 2 ** (n - 1), MAX_DELAY)
    return d / 2 + random.uniform(0, d / 2)

# ---- your client: replace up to here ----------------------------------------

# The webhook receiver. It keeps what it did in a file in SANDBANK_STATE_DIR,
# because processed_events runs in another process.

STATE_FILE = os.path.join(os.environ.get("SANDBANK_STATE_DIR", "."), "webhooks.json")
TOLERANCE = 5 * 60


def load_state():
    try:
        with open(STATE_FILE) as f:
            return json.load(f)
    except FileNotFoundError:
        return {"events": [], "resources": {}}  # nothing processed yet


def save_state(state):
    """Atomically: a temporary file, then a rename, so that processed_events
    never reads a half-written file."""
    with open(STATE_FILE + ".tmp", "w") as f:
        json.dump(state, f)
    os.replace(STATE_FILE + ".tmp", STATE_FILE)


def verify(secret, headers, body):
    """Standard Webhooks verification, written out
    (https://www.standardwebhooks.com): HMAC-SHA256 with the base64 secret
    after "whsec_", over "{webhook-id}.{webhook-timestamp}.{body}"."""
    msg_id = headers.get("webhook-id")
    timestamp = headers.get("webhook-timestamp")
    signatures = headers.get("webhook-signature")
    if not msg_id or not timestamp or not signatures:
        return False
    # At most 5 minutes off, either way: an old delivery replayed by an
    # attacker is rejected.
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > TOLERANCE:
        return False
    key = base64.b64decode(secret[len("whsec_"):] if secret.startswith("whsec_") else secret)
    signed = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    # Several space-separated signatures ("v1,<base64> v1,<base64>") while a
    # secret is rotated: any one that matches will do.
    for token in signatures.split(" "):
        version, _, sig = token.partition(",")
        if version == "v1" and hmac.compare_digest(sig.encode(), expected.encode()):  # constant time
            return True
    return False


def serve_webhooks(client, port, path, secret):
    state = {"events": [], "resources": {}}
    claimed = set()  # webhook-ids being or already processed
    lock = threading.Lock()  # ThreadingHTTPServer: one thread per delivery

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            if self.path != path:
                return self.answer(404, "not found")
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            # Verify BEFORE parsing or acting on anything.
            if not verify(secret, self.headers, body):
                return self.answer(400, "bad signature")
            try:
                event = json.loads(body)
            except ValueError:
                return self.answer(400, "not an event")
            # Deduplicate by webhook-id: deliveries are at-least-once, so the
            # same event can come twice (a retry after a lost 2xx), or
            # several times at once. A duplicate is acknowledged (2xx) and
            # ignored. Check and claim under the lock: concurrent copies race.
            msg_id = self.headers["webhook-id"]
            with lock:
                if msg_id in claimed:
                    return self.answer(200, "duplicate")
                claimed.add(msg_id)
            try:
                # Act. Events may arrive out of order (payment.succeeded
                # before payment.created), so do not derive the state from
                # the event: re-read the payment and record what the API
                # says now.
                status = None
                if event["type"].startswith("payment."):
                    status = client.get_payment(event["data"]["id"])["status"]
                with lock:
                    state["events"].append(event["id"])
                    if status:
                        state["resources"][event["data"]["id"]] = status
                    save_state(state)
            except Exception as err:
                with lock:
                    claimed.discard(msg_id)  # not processed: let the redelivery try again
                return self.answer(503, str(err))
            self.answer(200, "ok")

        def answer(self, code, text):
            self.send_response(code)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(text.encode())

        def log_message(self, *args):
            pass  # quiet

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    # The suite stops the receiver with SIGTERM; the state is already saved.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server.serve_forever()


# ---- the adapter protocol -----------------------------------------------------

def main():
    operation = sys.argv[1] if len(sys.argv) > 1 else ""
    raw = sys.stdin.read()
    inp = json.loads(raw) if raw.strip() else {}
    client = SandbankClient(os.environ.get("SANDBANK_BASE_URL"), os.environ.get("SANDBANK_CLIENT_ID"),
                            os.environ.get("SANDBANK_CLIENT_SECRET"), os.environ.get("SANDBANK_TOKEN_URL"))
    try:
        if operation == "create_payment":
            p = client.create_payment(inp["amount"], inp["currency"], inp["card"], inp["description"])
            out = {"id": p["id"]}
        elif operation == "create_transfer":
            t = client.create_transfer(inp["account_id"], inp["amount"], inp["currency"], inp["pix_key"],
                                       inp["description"])
            out = {"id": t["id"]}
        elif operation == "create_refund":
            out = {"id": client.create_refund(inp["payment_id"], inp["amount"])["id"]}
        elif operation == "get_payment":
            p = client.get_payment(inp["id"])
            out = {"id": p["id"], "status": p["status"]}
        elif operation == "list_transactions":
            out = {"ids": client.list_transactions(inp["account_id"], inp["page_size"])}
        elif operation == "serve_webhooks":
            serve_webhooks(client, inp["port"], inp["path"], inp["secret"])  # runs until SIGTERM
            return
        elif operation == "processed_events":
            out = load_state()
        else:
            print(f"operation {operation!r} is not implemented", file=sys.stderr)
            sys.exit(3)  # not implemented: the cases that need it are "not applicable"
    except (ApiError, OSError, http.client.HTTPException) as err:
        print("gave up:", err, file=sys.stderr)
        sys.exit(1)  # the client gave up: the suite judges the traffic, not this status
    print(json.dumps(out))


if __name__ == "__main__":
    main()
