#!/bin/sh
# Puts the app's secrets in Key Vault after `azd provision` (azd runs it; `azd hooks run postprovision` runs it again).
#
# - Keys the app generates for itself (token signing, Graph clientState) are created once and never replaced here.
# - The pseudonymisation key is never replaced either (a new one would make the suppression list, the legal holds and
#   the audit chain unreadable). A vault without it gets it from PSEUDONYMISATION_KEY (carried over from an earlier
#   vault whose stores this deployment keeps), or a new one only with PSEUDONYMISATION_KEY_NEW=yes (stores that never
#   held this app's data); with neither it is named as missing.
# - Secrets only ops have are taken from the environment of this shell when set (export them, do not `azd env set`
#   them: that file is plain text), and replaced each time they are given: that is how they are rotated.
# - Anything still missing is named, with the variable to set, and the script fails so `azd up` does not deploy an
#   app that cannot start.
#
# - The token signing key holds a key ring (current key first, then previous keys still accepted, comma-separated):
#   TOKEN_SIGNING_KEY_ROTATION=rotate adds a new signing key in front of the ring (links signed with the previous key
#   keep working); TOKEN_SIGNING_KEY_ROTATION=retire keeps only the current key, once the previous key's links have
#   expired (90 days after the rotation: staff-task links live that long). Each is a new version of the secret.
#
# Values never appear on a command line or in the output: they go to `az` through a private temporary file.
set -eu

vault="${AZURE_KEY_VAULT_NAME:?AZURE_KEY_VAULT_NAME is not set: run azd provision first (it is an output of infra/main.bicep)}"
attempts="${KEY_VAULT_LIST_ATTEMPTS:-30}"
wait_seconds="${KEY_VAULT_LIST_WAIT_SECONDS:-10}"

# secret name -> how it is obtained (generate:<bytes> or the environment variable holding it)
secrets="
token-signing-key generate:32
pseudonymisation-key carried:PSEUDONYMISATION_KEY
keyring-encryption-key generate:32
graph-client-state generate:48
sendgrid-api-key SENDGRID_API_KEY
graph-client-secret GRAPH_CLIENT_SECRET
stores-connection-string STORES_CONNECTION_STRING
staff-signin-client-secret STAFF_SIGNIN_CLIENT_SECRET
"

umask 077
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT INT TERM

# The role that lets this script write secrets was assigned by the same deployment and takes a few minutes to reach
# Key Vault: retry the listing until it is allowed.
n=1
until az keyvault secret list --vault-name "$vault" --query "[].name" --output tsv > "$work/existing" 2> "$work/error"; do
  if [ -z "${OPERATOR_IP_ADDRESS:-}" ] && grep -qE "ForbiddenByFirewall|ForbiddenByConnection|Client address is not authorized|Public network access is disabled" "$work/error"; then
    # The vault's network rules, not the role: waiting does not help.
    echo "Key Vault $vault refuses this machine's address (its network rules):" >&2
    cat "$work/error" >&2
    echo "Set OPERATOR_IP_ADDRESS to this machine's public address (azd env set OPERATOR_IP_ADDRESS <ip>), run 'azd provision', then 'azd hooks run postprovision'; clear it afterwards (docs/deploy.md), or run this from a machine in the network." >&2
    exit 1
  fi
  if [ "$n" -ge "$attempts" ]; then
    echo "Could not list the secrets of Key Vault $vault after $attempts attempts:" >&2
    cat "$work/error" >&2
    echo "Check that you have the Key Vault Secrets Officer role on it (infra/main.bicep gives it to AZURE_PRINCIPAL_ID)." >&2
    if [ -n "${OPERATOR_IP_ADDRESS:-}" ]; then
      echo "The vault lets in OPERATOR_IP_ADDRESS=$OPERATOR_IP_ADDRESS: check that it is this machine's public address." >&2
    fi
    exit 1
  fi
  echo "Key Vault $vault does not let us list secrets yet (role assignments and network rules take a few minutes); retrying in ${wait_seconds}s ($n/$attempts)."
  n=$((n + 1))
  sleep "$wait_seconds"
done

exists() { grep -qx "$1" "$work/existing"; }

store() {
  az keyvault secret set --vault-name "$vault" --name "$1" --file "$work/value" --encoding utf-8 --output none
  rm -f "$work/value"
}

echo "$secrets" | while read -r name source; do
  [ -n "$name" ] || continue
  case "$source" in
    generate:*)
      if exists "$name"; then
        echo "$name: present, kept."
      else
        openssl rand -base64 "${source#generate:}" | tr -d '\n' > "$work/value"
        store "$name"
        echo "$name: generated."
      fi
      ;;
    carried:*)
      # Never replaced. A vault without it is new, but the stores may not be: a key generated then would leave the
      # suppression list and the legal holds they hold unrecognisable (mailing people who objected again). So it is
      # carried over from the earlier vault, or generated only when the operator says the stores never held this app's data.
      given="$(printenv "${source#carried:}" || true)"
      if exists "$name"; then
        if [ -n "$given" ]; then
          az keyvault secret show --vault-name "$vault" --name "$name" --query value --output tsv > "$work/current"
          if [ "$(tr -d ' \r\n' < "$work/current")" != "$given" ]; then
            echo "$name: present and different from \$${source#carried:}; it is never replaced (unset \$${source#carried:})." >&2
            exit 1
          fi
          rm -f "$work/current"
        fi
        echo "$name: present, kept."
      elif [ -n "$given" ]; then
        printf '%s' "$given" > "$work/value"
        store "$name"
        echo "$name: set from \$${source#carried:} (carried over)."
      elif [ "${PSEUDONYMISATION_KEY_NEW:-}" = yes ]; then
        openssl rand -base64 32 | tr -d '\n' > "$work/value"
        store "$name"
        echo "$name: generated (PSEUDONYMISATION_KEY_NEW=yes: the stores never held this app's data)."
      else
        echo "$name ${source#carried:}" >> "$work/missing"
        echo "$name: none in this vault. If the stores held this app's data under an earlier vault, export ${source#carried:} with that vault's key; if they never did, export PSEUDONYMISATION_KEY_NEW=yes." >&2
      fi
      ;;
    *)
      value="$(printenv "$source" || true)"
      if [ -n "$value" ]; then
        printf '%s' "$value" > "$work/value"
        store "$name"
        if exists "$name"; then echo "$name: replaced from \$$source."; else echo "$name: set from \$$source."; fi
      elif exists "$name"; then
        echo "$name: present, kept (set \$$source to replace it)."
      else
        echo "$name $source" >> "$work/missing"
      fi
      ;;
  esac
done

# Rotation of the token signing key ring (docs/deploy.md, "Rotating the token signing key").
case "${TOKEN_SIGNING_KEY_ROTATION:-}" in
  "") ;;
  rotate|retire)
    az keyvault secret show --vault-name "$vault" --name token-signing-key --query value --output tsv > "$work/ring"
    ring="$(tr -d ' \r\n' < "$work/ring")"
    if [ "$TOKEN_SIGNING_KEY_ROTATION" = rotate ]; then
      printf '%s,%s' "$(openssl rand -base64 32 | tr -d '\n')" "$ring" > "$work/value"
      store token-signing-key
      echo "token-signing-key: new signing key added in front; the previous key(s) still accepted. Restart the app (docs/deploy.md), and retire them in 90 days."
    else
      printf '%s' "${ring%%,*}" > "$work/value"
      store token-signing-key
      echo "token-signing-key: previous keys removed; links signed with them are refused from the next restart."
    fi
    unset ring
    ;;
  *)
    echo "TOKEN_SIGNING_KEY_ROTATION must be 'rotate' or 'retire', not '$TOKEN_SIGNING_KEY_ROTATION'." >&2
    exit 1
    ;;
esac

if [ -s "$work/missing" ]; then
  echo "" >&2
  echo "Key Vault $vault still lacks secrets the app cannot start without:" >&2
  while read -r name source; do
    if [ "$name" = pseudonymisation-key ]; then
      echo "  $name: export $source=<the key of the earlier vault whose stores this deployment keeps>, or run with PSEUDONYMISATION_KEY_NEW=yes if the stores never held this app's data, then 'azd hooks run postprovision' (docs/deploy.md)" >&2
    else
      echo "  $name: export $source=... and run 'azd hooks run postprovision' (docs/deploy.md says where each comes from)" >&2
    fi
  done < "$work/missing"
  exit 1
fi

echo "Key Vault $vault holds every secret the app reads."
