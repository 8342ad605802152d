#!/usr/bin/env bash
# Runs the whole system on this machine: Azurite (storage; a second one, on ports 10010-10012, for the durable task hub,
# decision 82), the demo Belgian and Dutch stores, and the local host on http://127.0.0.1:7071. Foreground; Ctrl-C
# stops everything it started.
# Any setting can be passed through the environment, e.g. Privacy__Export__LinkLifetime=00:00:30 scripts/run.sh
#   scripts/run.sh --postgres   the entity stores on a PostgreSQL cluster in .data/postgres (Debian's postgresql
#                               package; port 55432) instead of SQLite files. Stores__DemoSize=1000000 for big stores.
set -euo pipefail
POSTGRES=false
for arg in "$@"; do
  case "$arg" in
    --postgres) POSTGRES=true ;;
    *) echo "Unknown option $arg (only --postgres)." >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")/.."
ROOT=$(pwd)
DATA="$ROOT/.data"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

command -v dotnet >/dev/null || { echo "The .NET 10 SDK is required (dotnet not found)." >&2; exit 1; }
command -v node >/dev/null || { echo "Node.js is required (node not found)." >&2; exit 1; }

if [ ! -x node_modules/.bin/azurite ]; then
  echo "Installing Azurite (pinned in package-lock.json)..."
  npm ci --no-audit --no-fund --loglevel=error
fi

mkdir -p "$DATA/azurite" "$DATA/azurite-taskhub" "$DATA/mail" "$DATA/stores" "$DATA/inbox"
# The keys stay the same across restarts: links in mails already sent keep working, and suppression entries
# (keyed hashes) stay recognisable.
for key in signing-key pseudonymisation-key keyring-encryption-key; do
  if [ ! -s "$DATA/$key" ]; then
    (umask 077 && head -c 32 /dev/urandom | base64 > "$DATA/$key")
  fi
done

for port in 10000 10001 10002 7071; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "Port $port is already in use: stop whatever listens there (another scripts/run.sh?) and try again." >&2
    exit 1
  fi
done

pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if $POSTGRES; then stop_pg; fi
  echo "Stopped."
}
trap cleanup INT TERM EXIT

if $POSTGRES; then
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -x "$PGBIN/initdb" ] || { echo "PostgreSQL is not installed: apt-get install postgresql (scripts/test.sh does it)." >&2; exit 1; }
  as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
  if [ ! -s "$DATA/postgres/PG_VERSION" ]; then
    mkdir -p "$DATA/postgres"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$DATA/postgres"
    as_pg "$PGBIN/initdb" -D "$DATA/postgres" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$DATA/postgres"
  stop_pg() { as_pg "$PGBIN/pg_ctl" -D "$DATA/postgres" -m fast stop >/dev/null 2>&1 || true; }
  as_pg "$PGBIN/pg_ctl" -D "$DATA/postgres" -w -l "$DATA/postgres/server.log" \
    -o "-p 55432 -k $DATA/postgres -c listen_addresses=127.0.0.1" start >/dev/null
  export Stores__Provider=postgres
  export Stores__PostgresConnectionString="${Stores__PostgresConnectionString:-Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres}"
fi

echo "Building the local host..."
dotnet build src/Infomat.LocalHost/Infomat.LocalHost.csproj -c Release --nologo -v quiet -clp:ErrorsOnly

node_modules/.bin/azurite --silent --skipApiVersionCheck --disableTelemetry --location "$DATA/azurite" \
  --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 >"$DATA/azurite.log" 2>&1 &
pids+=($!)
# The task hub's own Azurite: the orchestrations' queue and history traffic on a Node thread of its own, so the intake,
# the register and the case list do not wait behind it (decision 82).
node_modules/.bin/azurite --silent --skipApiVersionCheck --disableTelemetry --location "$DATA/azurite-taskhub" \
  --blobHost 127.0.0.1 --blobPort 10010 --queueHost 127.0.0.1 --queuePort 10011 --tableHost 127.0.0.1 --tablePort 10012 \
  >"$DATA/azurite-taskhub.log" 2>&1 &
pids+=($!)
for port in 10002 10012; do
  for _ in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.2; done
done

# The task hub goes to the second Azurite only when the storage is the local Azurite: given another AzureWebJobsStorage
# (an Azure account), the task hub stays beside it, as in the Functions app, unless LocalHost__Durable__ConnectionString says otherwise.
if [ -z "${AzureWebJobsStorage:-}" ] || [ "$AzureWebJobsStorage" = "UseDevelopmentStorage=true" ]; then OWN_TASKHUB=true; else OWN_TASKHUB=false; fi
export AzureWebJobsStorage="${AzureWebJobsStorage:-UseDevelopmentStorage=true}"
TASKHUB_AZURITE="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:10010/devstoreaccount1;QueueEndpoint=http://127.0.0.1:10011/devstoreaccount1;TableEndpoint=http://127.0.0.1:10012/devstoreaccount1;"
if $OWN_TASKHUB; then export LocalHost__Durable__ConnectionString="${LocalHost__Durable__ConnectionString:-$TASKHUB_AZURITE}"; fi
export Privacy__Tokens__SigningKey="${Privacy__Tokens__SigningKey:-$(cat "$DATA/signing-key")}"
export Privacy__Pseudonymisation__Key="${Privacy__Pseudonymisation__Key:-$(cat "$DATA/pseudonymisation-key")}"
export Privacy__KeyRing__EncryptionKey="${Privacy__KeyRing__EncryptionKey:-$(cat "$DATA/keyring-encryption-key")}"
export Privacy__PublicBaseUrl="${Privacy__PublicBaseUrl:-http://127.0.0.1:7071}"
export Mail__PickupDirectory="${Mail__PickupDirectory:-$DATA/mail}"
export Mail__InboxDirectory="${Mail__InboxDirectory:-$DATA/inbox}"
export Stores__Directory="${Stores__Directory:-$DATA/stores}"
export Stores__SeedDemoData="${Stores__SeedDemoData:-true}"

(cd src/Infomat.LocalHost && exec dotnet bin/Release/net10.0/Infomat.LocalHost.dll --urls http://127.0.0.1:7071) &
pids+=($!)
host=${pids[-1]}
for _ in $(seq 1 100); do
  if curl -fs http://127.0.0.1:7071/health >/dev/null 2>&1; then break; fi
  if ! kill -0 "$host" 2>/dev/null; then echo "The local host did not start; see the messages above." >&2; exit 1; fi
  sleep 0.3
done

cat <<MSG

Infomat privacy requests run locally.
  Form:            http://127.0.0.1:7071/privacy   (?lang=nl, fr or en)
  Mail folder:     $Mail__PickupDirectory   (each mail is one .eml file; open the links in it)
  Inbox:           $Mail__InboxDirectory   (drop an .eml here as if sent to info@infomat.eu; examples in
                   tests/Infomat.Privacy.IntegrationTests/MailCorpus)
  Request status:  http://127.0.0.1:7071/api/requests/{reference}
  Demo stores:     $(if $POSTGRES; then echo "PostgreSQL 127.0.0.1:55432, a schema per store"; else echo "$Stores__Directory (SQLite files)"; fi); CRM, finance, recruitment and portal of each entity
  Staff pages:     http://127.0.0.1:7071/cases (the case list) and the links in staff mails (no sign-in locally:
                   give your name on each form)
  Demo people to try:
    an.peeters@example.be            both entities (stored as " AN.Peeters@Example.be " in one table)
    sophie.dubois@example.be         Infomat België, with invoices under the accounting hold
    jan.devries@example.nl           Infomat Nederland, with invoices
    zoe.maes@example.be              Infomat België newsletter only
    alexis.papadopoulos@example.nl   Infomat Nederland job applicant (Αλέξης Παπαδόπουλος)
    nobody@example.org               held nowhere: the answer confirms that
Press Ctrl-C to stop.
MSG
wait "$host"
