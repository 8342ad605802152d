#!/usr/bin/env bash
# Moves every poisoned mail-intake item (queue mail-inbound-poison) back to mail-inbound, once the cause of the failures
# is fixed: scripts/redrive-mail.sh. Safe to run twice: the intake handles a message once, however many items name it.
# Uses the settings of scripts/run.sh (Azurite) unless the environment gives others (for Azure:
# AzureWebJobsStorage__blobServiceUri, __queueServiceUri and __tableServiceUri, signed in with `az login`; docs/deploy.md).
set -euo pipefail
cd "$(dirname "$0")/.."
dll=src/Infomat.LocalHost/bin/Release/net10.0/Infomat.LocalHost.dll
if [[ ! -f "$dll" ]]; then
  dotnet build src/Infomat.LocalHost -c Release -nologo -v quiet >/dev/null
fi
exec dotnet "$dll" redrive-mail "$@"
