#!/usr/bin/env bash
# A family's whole path through the HTTP service with curl alone, as a PHP or JavaScript
# portal would walk it (docs/SERVICE.md): the portal issues a certificate, funds it and
# enrols the child; the provider records lessons; the operator bills the month; the
# provider reads its register; the family reads its balance. Every answer is checked.
# Usage: PFDO_URL=http://127.0.0.1:8000 PORTAL=... PROVIDER=... OPERATOR=... family_path.sh
set -euo pipefail
: "${PFDO_URL:?}" "${PORTAL:?}" "${PROVIDER:?}" "${OPERATOR:?}"

call() { # TOKEN METHOD PATH [BODY]: the answer's body; fails on any status but 200
  local token=$1 method=$2 path=$3 body=${4:-}
  local args=(-sS -X "$method" -H "Authorization: Bearer $token" -w '\n%{http_code}')
  [ -z "$body" ] || args+=(-H 'Content-Type: application/json' -d "$body")
  local answer status
  answer=$(curl "${args[@]}" "$PFDO_URL$path")
  status=${answer##*$'\n'}
  answer=${answer%$'\n'*}
  if [ "$status" != 200 ]; then
    echo "$method $path answered $status: $answer" >&2
    return 1
  fi
  printf '%s' "$answer"
}
field() { # KEY: the first text value of KEY in the JSON on standard input
  sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p" | head -n 1
}
expect() { # TEXT WHAT: WHAT must be in TEXT
  case "$1" in *"$2"*) ;; *) echo "expected $2 in: $1" >&2; exit 1 ;; esac
}

issued=$(call "$PORTAL" POST /certificates \
  '{"child": "family-path", "birth_date": "2015-09-01", "municipality": "city", "on": "2025-01-10"}')
number=$(printf '%s' "$issued" | field number)
[ -n "$number" ] || { echo "no number in: $issued" >&2; exit 1; }

funded=$(curl -sS -X POST "$PFDO_URL/certificates/$number/fundings" \
  -H "Authorization: Bearer $PORTAL" -H 'Content-Type: application/json' \
  -H "Idempotency-Key: fund-$number" -D - \
  -d '{"period": "2025", "category": "base", "on": "2025-01-10"}')
expect "$funded" '"nominal":"12000.00"'
again=$(curl -sS -X POST "$PFDO_URL/certificates/$number/fundings" \
  -H "Authorization: Bearer $PORTAL" -H 'Content-Type: application/json' \
  -H "Idempotency-Key: fund-$number" -D - \
  -d '{"period": "2025", "category": "base", "on": "2025-01-10"}')
expect "$(printf '%s' "$again" | tr 'A-Z' 'a-z')" 'idempotent-replayed: true'

enrolled=$(call "$PORTAL" POST /contracts \
  "{\"number\": \"$number\", \"program\": \"chess\", \"start\": \"2025-02-01\", \"end\": \"2025-04-30\", \"on\": \"2025-01-20\"}")
contract=$(printf '%s' "$enrolled" | field contract)
expect "$enrolled" '"certificate_share":"4500.00"'

recorded=$(call "$PROVIDER" POST "/contracts/$contract/attendance" \
  '{"dates": ["2025-02-03", "2025-02-10", "2025-02-17"], "on": "2025-02-20"}')
expect "$recorded" '"recorded":3'

billed=$(call "$OPERATOR" POST /billing-runs '{"month": "2025-02", "on": "2025-03-01"}')
expect "$billed" '"month":"2025-02"'

register=$(call "$PROVIDER" GET /registers/school-1/2025-02)
expect "$register" "\"contract\":\"$contract\""
expect "$register" '"certificate":"1500.00"'

balance=$(call "$PORTAL" GET "/certificates/$number/balance")
expect "$balance" '"spent":"1500.00"'
expect "$balance" '"reserved":"3000.00"'
expect "$balance" '"available":"7500.00"'

history=$(call "$PORTAL" GET "/certificates/$number/history")
expect "$history" '"actor":"token:portal"'
expect "$history" '"actor":"token:operator"'

denied=$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$PFDO_URL/billing-runs" \
  -H "Authorization: Bearer $PORTAL" -H 'Content-Type: application/json' -d '{"month": "2025-02"}')
[ "$denied" = 403 ] || { echo "a portal billed: $denied" >&2; exit 1; }
echo "family path: certificate $number, contract $contract"
