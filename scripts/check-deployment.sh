#!/usr/bin/env bash
# What to check after a deployment (docs/deploy.md): the public routes answer without sign-in, the staff routes do
# not (not even to a forged principal header), and Microsoft Graph can validate its subscription. Reads nothing personal and changes nothing (GETs, and the
# Graph validation handshake, which only echoes).
#
#   scripts/check-deployment.sh https://func-privacy-xxxx.azurewebsites.net    (azd: "$PRIVACY_PUBLIC_BASE_URL")
#   scripts/check-deployment.sh --no-mailbox http://127.0.0.1:7071           (a host without the Graph mailbox)
#
# Prints one line per check and exits 1 when any fails.
set -uo pipefail

mailbox=1
if [ "${1:-}" = "--no-mailbox" ]; then mailbox=0; shift; fi
base="${1:?usage: scripts/check-deployment.sh [--no-mailbox] BASE_URL}"
base="${base%/}"
failures=0

ok() { printf 'ok    %s\n' "$*"; }
fail() { printf 'FAIL  %s\n' "$*"; failures=$((failures + 1)); }

# status and Location of one request, without following redirects
probe() { # method path
  curl -s -o /tmp/check-deployment.$$ -w '%{http_code} %{redirect_url}' -X "$1" --max-time 30 "$base$2" || echo "000 "
}

public() { # path: must be served to anyone
  local answer code location
  answer=$(probe GET "$1"); code=${answer%% *}; location=${answer#* }
  if [ "$code" = 401 ] || [[ "$location" == *"/.auth/login"* ]]; then
    fail "$1 asks for sign-in ($code): requesters could not use it; check excludedPaths in infra/main.bicep"
  elif [ "$code" = 000 ] || [ "${code:0:1}" = 5 ]; then
    fail "$1 answered $code: see the Function App's logs (FunctionAppLogs in Log Analytics)"
  else
    ok "$1 is public ($code)"
  fi
}

staff() { # path: must need a signed-in staff member
  local answer code location
  answer=$(probe GET "$1"); code=${answer%% *}; location=${answer#* }
  if [[ "$code" = 302 && "$location" == *"/.auth/login"* ]] || [ "$code" = 401 ]; then
    ok "$1 needs sign-in ($code)"
  else
    fail "$1 answered $code without sign-in: staff pages must not be public; check authsettingsV2 in infra/app/functionapp.bicep"
  fi
}

answer=$(probe GET /health)
if [ "${answer%% *}" = 200 ]; then ok "/health 200"; else fail "/health answered ${answer%% *}: the app is not running (Key Vault references resolved? docs/deploy.md)"; fi
# 200 while an entity store cannot be reached (the form and the links need none): the cases would stop at their first
# store step, days later. The body names each store that is not ready.
if [ "${answer%% *}" = 200 ] && grep -q '"status":"degraded"' /tmp/check-deployment.$$ 2>/dev/null; then
  notready=$(grep -o '"[a-z0-9]*/[a-z0-9-]*":"\(unavailable\|schema-problems\)"' /tmp/check-deployment.$$ | sed 's/"\([^"]*\)":"\([^"]*\)"/\1 (\2)/' | paste -sd ',' - | sed 's/,/, /g')
  fail "/health says entity stores are not ready: $notready; check the stores' connection (POSTGRES_SERVER_ID, the private DNS zone, the server's firewall: docs/deploy.md)"
fi

public "/privacy?lang=nl"
if grep -q '<form' /tmp/check-deployment.$$ 2>/dev/null; then ok "the request form is served"; else fail "/privacy serves no form"; fi
public "/api/requests/PR-0000-0000-0000"
public "/verify"
public "/download"

for path in /cases /cases.csv /approvals /tasks; do staff "$path"; done

# A principal header anyone can write (the staff role, no token) opens nothing: the app validates the staff member's
# ID token itself, so this holds even where App Service Authentication does not cover a route (docs/deploy.md).
forged=$(printf '%s' '{"auth_typ":"aad","claims":[{"typ":"roles","val":"Privacy.Staff"},{"typ":"preferred_username","val":"check@invalid"}]}' | base64 -w0)
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 -H "X-MS-CLIENT-PRINCIPAL: $forged" "$base/cases" || echo 000)
if [ "$code" = 200 ]; then
  fail "/cases served a forged principal header (200): the staff check trusts an unsigned header; deploy this release"
else
  ok "/cases refuses a forged principal header ($code)"
fi

if [ "$mailbox" = 1 ]; then
  token="check-$RANDOM$RANDOM"
  answer=$(curl -s --max-time 30 -X POST "$base/api/mail/notifications?validationToken=$token" || true)
  if [ "$answer" = "$token" ]; then
    ok "Graph can validate its subscription at /api/mail/notifications"
  else
    fail "/api/mail/notifications did not echo the validation token: Graph cannot subscribe (Mail__Graph__* settings, Key Vault)"
  fi
fi

rm -f /tmp/check-deployment.$$
if [ "$failures" -gt 0 ]; then
  echo "$failures check(s) failed."
  exit 1
fi
echo "All checks passed."
