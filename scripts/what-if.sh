#!/usr/bin/env bash
# What a deployment of infra/main.bicep would change in an existing resource group, without changing anything:
# `az deployment group what-if` with infra/main.parameters.json resolved the way azd resolves it (${NAME} and
# ${NAME=default} from the environment). docs/deploy.md, "Before a deployment: what-if".
# Needs the Azure CLI signed in (`az login`) with the rights to deploy to the group (what-if checks them as a deployment would: Contributor, and for the role assignments the template makes, User Access Administrator or Owner; Reader is refused). The template takes no secret: none is read or printed.
#
#   set -a; eval "$(azd env get-values)"; set +a; scripts/what-if.sh <resource group>
#   scripts/what-if.sh --print-parameters      the resolved parameters file only (no Azure call)
set -euo pipefail
cd "$(dirname "$0")/.."

# infra/main.parameters.json with each ${NAME} / ${NAME=default} replaced by the environment's value (or the default, or
# empty), as azd does.
resolve() {
  local line name fallback value out=""
  local pattern='\$\{([A-Z_][A-Z0-9_]*)(=([^}]*))?\}'
  while IFS= read -r line || [ -n "$line" ]; do
    while [[ $line =~ $pattern ]]; do
      name="${BASH_REMATCH[1]}"; fallback="${BASH_REMATCH[3]}"
      value="${!name:-$fallback}"
      value="${value//\\/\\\\}"; value="${value//\"/\\\"}"
      line="${line/"${BASH_REMATCH[0]}"/$value}"
    done
    out+="$line"$'\n'
  done < infra/main.parameters.json
  printf '%s' "$out"
}

if [ "${1:-}" = "--print-parameters" ]; then resolve; exit 0; fi

group="${1:?usage: scripts/what-if.sh RESOURCE_GROUP   (or --print-parameters)}"
missing=""
for name in AZURE_ENV_NAME AZURE_LOCATION PRIVACY_STAFF_ADDRESS STAFF_SIGNIN_CLIENT_ID GRAPH_CLIENT_ID; do
  if [ -z "${!name:-}" ]; then missing="$missing $name"; fi
done
if [ -n "$missing" ]; then
  echo "Set these first (set -a; eval \"\$(azd env get-values)\"; set +a; or export them):$missing" >&2
  exit 2
fi

parameters=$(mktemp)
trap 'rm -f "$parameters"' EXIT
resolve > "$parameters"
az deployment group what-if \
  --resource-group "$group" \
  --template-file infra/main.bicep \
  --parameters "@$parameters" \
  --result-format FullResourcePayloads
