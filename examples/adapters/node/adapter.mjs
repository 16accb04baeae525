#!/usr/bin/env node
// An example adapter for sandbank's client conformance suite
// (docs/conformance.md), in Node (>= 18) with no dependencies: the global
// fetch, node:http and node:crypto.
//
//   sandbank conformance run --adapter "node examples/adapters/node/adapter.mjs"
//
// The suite runs `node adapter.mjs <operation>` once per operation, with
// the operation's input (JSON) on stdin and SANDBANK_* in the environment;
// it prints the result (JSON) on stdout. Exit status 0: done; 3: not
// implemented; anything else: the client gave up.
//
// To grade YOUR client, replace the SandbankClient class (between the two
// "your client" markers) with calls into your own code, keeping its real
// retry policy, timeouts and key handling.

import http from "node:http";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

// ---- your client: replace from here ---------------------------------------

// The retry policy.
const ATTEMPT_TIMEOUT_MS = 2000; // per attempt, the body included
const BASE_DELAY_MS = 500; // first backoff; doubles...
const MAX_DELAY_MS = 8000; // ...up to this
const MAX_FAILURES = 5; // failed attempts before giving up
const MAX_RETRY_AFTER_MS = 10_000; // a longer Retry-After: give up rather than hang
const DEADLINE_MS = 30_000; // for the whole operation, retries included

// Conflicts (the first request with this key is still running), rate
// limits and server errors are worth another try. Other 4xx (400, 401,
// 402, 403, 404, 422...) are not: the same request would get the same
// answer, and retrying a declined card looks like card testing.
const RETRYABLE = new Set([409, 429, 500, 502, 503, 504]);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

class ApiError extends Error {
  constructor(status, body) {
    super(`HTTP ${status}: ${body}`);
    this.status = status;
  }
}

class SandbankClient {
  constructor({ baseUrl, clientId, clientSecret, tokenUrl }) {
    Object.assign(this, { baseUrl, clientId, clientSecret, tokenUrl });
    this.token = null; // the current access token (OAuth client credentials)
    this.notBefore = 0; // RateLimit said the window is used up until then (ms)
  }

  // request sends one logical request — retrying it as a whole — and
  // returns the final 2xx answer's JSON.
  async request(method, urlPath, body) {
    const deadline = Date.now() + DEADLINE_MS;
    // Serialized once: every retry sends the very same bytes.
    const payload = body === undefined ? undefined : JSON.stringify(body);
    // One key per operation, created BEFORE the first attempt and reused on
    // every retry: that is what lets the server recognise a retry of a
    // payment it already made (after a timeout, a reset...) and answer
    // with that payment instead of charging twice.
    const key = method === "POST" ? crypto.randomBytes(16).toString("hex") : undefined;
    let failures = 0;
    let refreshed = false;
    for (;;) {
      await sleep(this.notBefore - Date.now());
      let res, text, error;
      try {
        const token = this.token ?? (await this.fetchToken());
        const headers = { Authorization: `Bearer ${token}` };
        if (payload !== undefined) headers["Content-Type"] = "application/json";
        if (key) headers["Idempotency-Key"] = key;
        // The timeout covers the whole attempt: headers AND body (a body
        // that stalls after the headers aborts too).
        const signal = AbortSignal.timeout(ATTEMPT_TIMEOUT_MS);
        res = await fetch(this.baseUrl + urlPath, { method, headers, body: payload, signal });
        text = await res.text();
      } catch (err) {
        // A network error or a timeout: the request may or may not have
        // been applied. Retrying is safe because of the key.
        error = err;
      }
      let wait = 0;
      if (error) {
        failures++;
      } else if (res.ok) {
        this.noteRateLimit(res.headers.get("ratelimit"));
        return text ? JSON.parse(text) : null;
      } else if (res.status === 401 && !refreshed && /error="invalid_token"/.test(res.headers.get("www-authenticate") ?? "")) {
        // The access token expired: get a new one, once, and replay (same
        // key, same body). This is not a failure.
        refreshed = true;
        this.token = null;
        continue;
      } else if (!RETRYABLE.has(res.status)) {
        throw new ApiError(res.status, text);
      } else {
        wait = retryAfterMs(res.headers.get("retry-after"));
        if (wait > MAX_RETRY_AFTER_MS) throw new ApiError(res.status, `Retry-After too long: ${res.headers.get("retry-after")}`);
        // 409: the first request with this key is still running. That is
        // not a failure: wait for it (within the deadline), and the retry
        // gets its result.
        if (res.status !== 409) failures++;
      }
      if (failures >= MAX_FAILURES) throw error ?? new ApiError(res.status, text);
      wait ||= backoffMs(Math.max(failures, 1));
      if (Date.now() + wait > deadline) throw error ?? new ApiError(res.status, `${text} (no time left to retry)`);
      await sleep(wait);
    }
  }

  async fetchToken() {
    const form = new URLSearchParams({ grant_type: "client_credentials", client_id: this.clientId, client_secret: this.clientSecret });
    const res = await fetch(this.tokenUrl, { method: "POST", body: form, signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS) });
    const json = await res.json().catch(() => ({}));
    if (!res.ok || !json.access_token) throw new Error(`the token endpoint answered ${res.status}`);
    this.token = json.access_token;
    return this.token;
  }

  // `RateLimit: "default";r=0;t=5` says no request is left in the window,
  // which resets in 5 s: the next request waits until then.
  noteRateLimit(header) {
    const remaining = /(?:^|;)\s*r=(\d+)/.exec(header ?? "");
    const reset = /(?:^|;)\s*t=(\d+)/.exec(header ?? "");
    if (remaining && reset && Number(remaining[1]) === 0 && Number(reset[1]) * 1000 <= MAX_RETRY_AFTER_MS) {
      this.notBefore = Date.now() + Number(reset[1]) * 1000;
    }
  }

  // The API calls.

  createPayment({ amount, currency, card, description }) {
    return this.request("POST", "/v1/payments", {
      amount, currency, confirm: true, description,
      payment_method_data: { type: "card", card },
    });
  }

  createTransfer({ account_id, amount, currency, pix_key, description }) {
    return this.request("POST", "/v1/transfers", {
      rail: "pix", debtor_account_id: account_id, amount, currency,
      creditor: { pix_key }, description,
    });
  }

  createRefund({ payment_id, amount }) {
    return this.request("POST", "/v1/refunds", { payment_id, amount });
  }

  getPayment(id) {
    return this.request("GET", `/v1/payments/${encodeURIComponent(id)}`);
  }

  // Every line, all pages, following the cursor (never offsets: lines
  // booked during the walk would shift them).
  async listTransactions(accountId, pageSize) {
    const ids = [];
    let cursor = null;
    do {
      let url = `/v1/accounts/${encodeURIComponent(accountId)}/transactions?limit=${pageSize}`;
      if (cursor) url += `&cursor=${encodeURIComponent(cursor)}`;
      const page = await this.request("GET", url);
      for (const line of page.data) ids.push(line.id);
      cursor = page.has_more ? page.next_cursor : null;
    } while (cursor);
    return ids;
  }
}

// Retry-After is seconds ("3") or an HTTP-date ("Sat, 21 Nov 2026 15:35:43 GMT").
function retryAfterMs(value) {
  if (!value) return 0;
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? 0 : Math.max(0, date - Date.now());
}

// The wait after the nth failure: exponential backoff with "equal jitter"
// (half fixed, half random), so that clients that failed together do not
// all retry together.
function backoffMs(n) {
  const d = Math.min(BASE_DELAY_MS * 2 ** (n - 1), MAX_DELAY_MS);
  return d / 2 + Math.random() * (d / 2);
}

// ---- your client: replace up to here --------------------------------------

// The webhook receiver. It keeps what it did in a file in
// SANDBANK_STATE_DIR, because processed_events runs in another process.

const stateFile = path.join(process.env.SANDBANK_STATE_DIR ?? ".", "webhooks.json");

function loadState() {
  try {
    return JSON.parse(fs.readFileSync(stateFile, "utf8"));
  } catch (err) {
    if (err.code === "ENOENT") return { events: [], resources: {} }; // nothing processed yet
    throw err;
  }
}

// Atomically: a temporary file, then a rename, so that processed_events
// never reads a half-written file.
function saveState(state) {
  fs.writeFileSync(`${stateFile}.tmp`, JSON.stringify(state));
  fs.renameSync(`${stateFile}.tmp`, stateFile);
}

// Standard Webhooks verification, written out
// (https://www.standardwebhooks.com): HMAC-SHA256 with the base64 secret
// after "whsec_", over "{webhook-id}.{webhook-timestamp}.{body}".
const TOLERANCE_S = 5 * 60;

function verify(secret, headers, body) {
  const id = headers["webhook-id"];
  const timestamp = headers["webhook-timestamp"];
  const signatures = headers["webhook-signature"];
  if (!id || !timestamp || !signatures) return false;
  // At most 5 minutes off, either way: an old delivery replayed by an
  // attacker is rejected.
  if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > TOLERANCE_S) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = crypto.createHmac("sha256", key).update(`${id}.${timestamp}.`).update(body).digest();
  // Several space-separated signatures ("v1,<base64> v1,<base64>") while a
  // secret is rotated: any one that matches will do.
  return signatures.split(" ").some((token) => {
    const [version, sig] = token.split(",", 2);
    if (version !== "v1" || !sig) return false;
    const given = Buffer.from(sig, "base64");
    return given.length === expected.length && crypto.timingSafeEqual(given, expected); // constant time
  });
}

function serveWebhooks(client, { port, path: webhookPath, secret }) {
  const state = { events: [], resources: {} };
  const claimed = new Set(); // webhook-ids being or already processed

  async function handle(req, res) {
    if (req.method !== "POST" || req.url !== webhookPath) return res.writeHead(404).end();
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    // Verify BEFORE parsing or acting on anything.
    if (!verify(secret, req.headers, body)) return res.writeHead(400).end("bad signature");
    let event;
    try {
      event = JSON.parse(body);
    } catch {
      return res.writeHead(400).end("not an event");
    }
    // Deduplicate by webhook-id: deliveries are at-least-once, so the same
    // event can come twice (a retry after a lost 2xx), or several times at
    // once. A duplicate is acknowledged (2xx) and ignored. (Checked and
    // claimed with no await in between: no other delivery can slip in.)
    const id = req.headers["webhook-id"];
    if (claimed.has(id)) return res.writeHead(200).end("duplicate");
    claimed.add(id);
    try {
      // Act. Events may arrive out of order (payment.succeeded before
      // payment.created), so do not derive the state from the event:
      // re-read the payment and record what the API says now.
      if (event.type.startsWith("payment.")) {
        const payment = await client.getPayment(event.data.id);
        state.resources[payment.id] = payment.status;
      }
      state.events.push(event.id);
      saveState(state);
      res.writeHead(200).end("ok");
    } catch (err) {
      claimed.delete(id); // not processed: let the redelivery try again
      res.writeHead(503).end(String(err));
    }
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => res.destroy()); // e.g. the sender hung up mid-body
  });
  server.listen(port, "127.0.0.1");
  // The suite stops the receiver with SIGTERM; the state is already saved.
  process.on("SIGTERM", () => process.exit(0));
}

// ---- the adapter protocol ---------------------------------------------------

const operation = process.argv[2];
let input = "";
for await (const chunk of process.stdin) input += chunk;
input = input.trim() ? JSON.parse(input) : {};

const client = new SandbankClient({
  baseUrl: process.env.SANDBANK_BASE_URL,
  clientId: process.env.SANDBANK_CLIENT_ID,
  clientSecret: process.env.SANDBANK_CLIENT_SECRET,
  tokenUrl: process.env.SANDBANK_TOKEN_URL,
});

const operations = {
  create_payment: async () => ({ id: (await client.createPayment(input)).id }),
  create_transfer: async () => ({ id: (await client.createTransfer(input)).id }),
  create_refund: async () => ({ id: (await client.createRefund(input)).id }),
  get_payment: async () => {
    const p = await client.getPayment(input.id);
    return { id: p.id, status: p.status };
  },
  list_transactions: async () => ({ ids: await client.listTransactions(input.account_id, input.page_size) }),
  serve_webhooks: async () => serveWebhooks(client, input), // runs until SIGTERM
  processed_events: async () => loadState(),
};

if (!operations[operation]) {
  console.error(`operation ${operation} is not implemented`);
  process.exit(3); // not implemented: the cases that need it are "not applicable"
}
try {
  const result = await operations[operation]();
  if (result !== undefined) {
    process.stdout.write(JSON.stringify(result) + "\n");
    process.exit(0);
  }
} catch (err) {
  console.error("gave up:", err.message);
  process.exit(1); // the client gave up: the suite judges the traffic, not this status
}
