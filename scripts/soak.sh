#!/usr/bin/env bash
# The soak run of issue 14: the local host against its own Azurite with faults injected (storage 503s, mail 503s and
# timeouts, one entity store down for a while, the host process killed and restarted at random moments), a few hundred
# requests across every right and both channels with double submissions and duplicate mails, requesters and staff acting
# on their mails. Prints the figures, writes artifacts/soak.json (and the host's log, artifacts/soak-host.log), and exits
# non-zero when a request was lost or left silently stuck, a case or an answer mail was duplicated, a due date is later
# than the receipt allows, a case was closed without an answer, or a case expired after its requester confirmed.
#
#   scripts/soak.sh [--cases N] [--seed S] [--kills K]     (defaults: 300 cases, seed 14, one kill per 60 cases)
#   SOAK_STORAGE_FAULTS=0.3 scripts/soak.sh               (share of storage tries answered 503; default 0.1)
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

SOAK_CASES=300
SOAK_SEED=14
SOAK_KILLS=
while [ $# -gt 0 ]; do
  case "$1" in
    --cases) SOAK_CASES="$2"; shift 2 ;;
    --seed) SOAK_SEED="$2"; shift 2 ;;
    --kills) SOAK_KILLS="$2"; shift 2 ;;
    *) echo "usage: scripts/soak.sh [--cases N] [--seed S] [--kills K]" >&2; exit 2 ;;
  esac
done
export SOAK_CASES SOAK_SEED SOAK_KILLS

if [ ! -x node_modules/.bin/azurite ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
dotnet build Infomat.Functions.sln -c Release --nologo -v quiet -clp:ErrorsOnly
mkdir -p artifacts
rm -f artifacts/soak.json
status=0
dotnet test tests/Infomat.Privacy.IntegrationTests -c Release --no-build --nologo --filter "Category=Soak" \
  --logger "console;verbosity=normal" || status=$?
[ -f artifacts/soak.json ] && echo "Figures: artifacts/soak.json"
exit "$status"
