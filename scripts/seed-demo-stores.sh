#!/usr/bin/env bash
# Fills an empty PostgreSQL database with the demo BE and NL stores, to try a deployment in a subscription that has no
# Infomat stores (docs/deploy.md, "Trying it without Infomat's stores"). The connection string comes from the
# environment, never the command line:
#   STORES_CONNECTION_STRING="Host=...;Database=...;Username=...;Password=...;SSL Mode=Require" scripts/seed-demo-stores.sh
# Stores that already hold data are left alone. Exit 2: no connection string.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z "${STORES_CONNECTION_STRING:-}" ]]; then
  echo "Set STORES_CONNECTION_STRING to the database's connection string." >&2
  exit 2
fi
dll=src/Infomat.LocalHost/bin/Release/net10.0/Infomat.LocalHost.dll
if [[ ! -f "$dll" ]]; then
  dotnet build src/Infomat.LocalHost -c Release -nologo -v quiet >/dev/null
fi
Stores__Provider=postgres Stores__PostgresConnectionString="$STORES_CONNECTION_STRING" exec dotnet "$dll" seed-demo-stores
