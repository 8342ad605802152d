#!/usr/bin/env bash
# Verifies the audit chain of one or more cases: scripts/verify-audit.sh PR-XXXX-XXXX-XXXX [more references]
# Uses the settings of scripts/run.sh (Azurite, the keys in .data) unless the environment gives others
# (for Azure: AzureWebJobsStorage__blobServiceUri, __queueServiceUri and __tableServiceUri, and the Key Vault's
# pseudonymisation key). Exit 1: a chain is broken.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ $# -eq 0 ]]; then
  echo "usage: scripts/verify-audit.sh PR-XXXX-XXXX-XXXX [more references]" >&2
  exit 2
fi
dll=src/Infomat.LocalHost/bin/Release/net10.0/Infomat.LocalHost.dll
if [[ ! -f "$dll" ]]; then
  dotnet build src/Infomat.LocalHost -c Release -nologo -v quiet >/dev/null
fi
export Privacy__Pseudonymisation__Key="${Privacy__Pseudonymisation__Key:-$(cat .data/pseudonymisation-key 2>/dev/null || true)}"
export Privacy__Tokens__SigningKey="${Privacy__Tokens__SigningKey:-$(cat .data/signing-key 2>/dev/null || true)}"
if [[ -z "$Privacy__Pseudonymisation__Key" ]]; then
  echo "No pseudonymisation key: set Privacy__Pseudonymisation__Key (scripts/run.sh keeps it in .data/pseudonymisation-key)." >&2
  exit 2
fi
exec dotnet "$dll" verify-audit "$@"
