#!/usr/bin/env bash
# An example adapter for sandbank's client conformance suite
# (docs/conformance.md), in bash with curl and jq.
#
#   sandbank conformance run --adapter "bash examples/adapters/shell/adapter.sh"
#
# The suite runs `adapter.sh <operation>` once per operation, with the
# operation's input (JSON) on stdin and SANDBANK_* in the environment; it
# prints the result (JSON) on stdout. Exit status 0: done; 3: not
# implemented; anything else: the client gave up.
#
# It implements the API operations only. serve_webhooks and
# processed_events exit 3 (a webhook receiver in bash is not worth it), so
# the WH-* cases are "not applicable". It authenticates with the API key
# itself (no OAuth access tokens), so AU-01 is not applicable either.
#
# If your integration is a script, the `request` function is the part to
# make yours: one key per operation, retries with backoff, Retry-After, a
# timeout on every attempt.
set -euo pipefail

# The retry policy.
ATTEMPT_TIMEOUT=2   # seconds per attempt, the body included (curl --max-time)
BASE_DELAY_MS=500   # first backoff; doubles...
MAX_DELAY_MS=8000   # ...up to this
MAX_FAILURES=5      # failed attempts before giving up
MAX_RETRY_AFTER=10  # seconds; a longer Retry-After: give up rather than hang
DEADLINE=30         # seconds for the whole operation, retries included

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 143' TERM INT

rate_limit_wait=0   # seconds the next request waits (RateLimit said r=0)

sleep_ms() { local s; printf -v s '%d.%03d' $(($1 / 1000)) $(($1 % 1000)); sleep "$s"; }

# header NAME: the value of a response header of the last attempt (in bash
# itself: no processes to start between attempts).
header() {
  local line name value=""
  while IFS= read -r line; do
    line=${line%$'\r'}
    name=${line%%:*}
    if [[ $line == *:* && ${name,,} == "${1,,}" ]]; then
      value=${line#*:}
      value=${value# }
    fi
  done <"$tmp/headers"
  printf '%s' "$value"
}

# request METHOD PATH [BODY_FILE]: one logical request, retried as a whole;
# prints the final 2xx answer's body. Call it with stdout redirected to a
# file (not inside $(...), a subshell), so that it can exit the script when
# it gives up and remember the rate limit.
request() {
  local method=$1 path=$2 body_file=${3:-}
  local args=(-sS --max-time "$ATTEMPT_TIMEOUT" -X "$method" -D "$tmp/headers" -o "$tmp/body" -w '%{http_code}'
    -H "Authorization: Bearer $SANDBANK_API_KEY")
  if [ -n "$body_file" ]; then
    # The body is a file written once: every retry sends the very same bytes.
    args+=(-H "Content-Type: application/json" --data-binary "@$body_file")
  fi
  if [ "$method" = POST ]; then
    # One key per operation, created BEFORE the first attempt and reused on
    # every retry: that is what lets the server recognise a retry of a
    # payment it already made (after a timeout, a reset...) and answer with
    # that payment instead of charging twice. 128 random bits, in hex.
    args+=(-H "Idempotency-Key: $(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')")
  fi
  local deadline=$((SECONDS + DEADLINE)) failures=0 status wait_ms retry_after until
  while :; do
    if ((rate_limit_wait > 0)); then sleep "$rate_limit_wait"; rate_limit_wait=0; fi
    : >"$tmp/headers"
    if status=$(curl "${args[@]}" "$SANDBANK_BASE_URL$path"); then
      case $status in
        2??)
          # `RateLimit: "default";r=0;t=5`: no request left in the window,
          # which resets in 5 s; the next request waits that long.
          local rl; rl=$(header RateLimit)
          if [[ $rl =~ (^|;)\ *r=0(;|$) && $rl =~ (^|;)\ *t=([0-9]+) ]] && ((BASH_REMATCH[2] <= MAX_RETRY_AFTER)); then
            rate_limit_wait=${BASH_REMATCH[2]}
          fi
          cat "$tmp/body"
          return 0 ;;
        409)
          # The first request with this key is still running. That is not
          # a failure: wait for it (within the deadline), and the retry gets
          # its result.
          ;;
        429 | 500 | 502 | 503 | 504)
          failures=$((failures + 1)) ;; # a rate limit, a server error: try again
        *)
          # 400, 401, 402, 403, 404, 422...: the same request would get the
          # same answer. Retrying only adds load (and, for a declined card,
          # looks like card testing).
          echo "gave up: HTTP $status: $(cat "$tmp/body")" >&2
          exit 1 ;;
      esac
    else
      # A network error or a timeout (curl said which on stderr): the
      # request may or may not have been applied. Retrying is safe because
      # of the key.
      status=000
      failures=$((failures + 1))
    fi
    if ((failures >= MAX_FAILURES)); then
      echo "gave up after $failures failed attempts (the last: HTTP $status)" >&2
      exit 1
    fi
    # Retry-After: seconds ("3") or an HTTP-date ("Sat, 21 Nov 2026 15:35:43 GMT").
    wait_ms=0
    retry_after=$(header Retry-After)
    if [[ $retry_after =~ ^[0-9]+$ ]]; then
      wait_ms=$((retry_after * 1000))
    elif [ -n "$retry_after" ] && until=$(date -d "$retry_after" +%s 2>/dev/null); then
      wait_ms=$(((until - $(date +%s)) * 1000)) # now is rounded down: never too early
    fi
    if ((wait_ms > MAX_RETRY_AFTER * 1000)); then
      echo "gave up: HTTP $status with Retry-After: $retry_after" >&2
      exit 1
    fi
    if ((wait_ms <= 0)); then
      # Exponential backoff with "equal jitter" (half fixed, half random),
      # so that clients that failed together do not all retry together.
      local d=$((BASE_DELAY_MS << (failures > 0 ? failures - 1 : 0)))
      d=$((d > MAX_DELAY_MS ? MAX_DELAY_MS : d))
      wait_ms=$((d / 2 + RANDOM % (d / 2 + 1)))
    fi
    if ((SECONDS + wait_ms / 1000 >= deadline)); then
      echo "gave up: no time left to retry (the last: HTTP $status)" >&2
      exit 1
    fi
    sleep_ms "$wait_ms"
  done
}

input=$(cat)
field() { jq -r "$1" <<<"$input"; }

case ${1:-} in
  create_payment)
    jq -c '{amount, currency, confirm: true, description, payment_method_data: {type: "card", card}}' <<<"$input" >"$tmp/request.json"
    request POST /v1/payments "$tmp/request.json" >"$tmp/out.json"
    jq -c '{id}' "$tmp/out.json" ;;
  create_transfer)
    jq -c '{rail: "pix", debtor_account_id: .account_id, amount, currency, creditor: {pix_key}, description}' <<<"$input" >"$tmp/request.json"
    request POST /v1/transfers "$tmp/request.json" >"$tmp/out.json"
    jq -c '{id}' "$tmp/out.json" ;;
  create_refund)
    jq -c '{payment_id, amount}' <<<"$input" >"$tmp/request.json"
    request POST /v1/refunds "$tmp/request.json" >"$tmp/out.json"
    jq -c '{id}' "$tmp/out.json" ;;
  get_payment)
    request GET "/v1/payments/$(field '.id | @uri')" >"$tmp/out.json"
    jq -c '{id, status}' "$tmp/out.json" ;;
  list_transactions)
    # Every line, all pages, following the cursor (never offsets: lines
    # booked during the walk would shift them).
    path="/v1/accounts/$(field '.account_id | @uri')/transactions?limit=$(field .page_size)"
    cursor=""
    : >"$tmp/ids"
    while :; do
      request GET "$path${cursor:+&cursor=$cursor}" >"$tmp/page.json"
      jq -r '.data[].id' "$tmp/page.json" >>"$tmp/ids"
      [ "$(jq -r .has_more "$tmp/page.json")" = true ] || break
      cursor=$(jq -r '.next_cursor | @uri' "$tmp/page.json")
    done
    jq -R . "$tmp/ids" | jq -sc '{ids: .}' ;;
  *)
    echo "operation ${1:-} is not implemented" >&2
    exit 3 ;; # not implemented: the cases that need it are "not applicable"
esac
