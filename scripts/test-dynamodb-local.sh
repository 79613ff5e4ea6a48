#!/usr/bin/env bash
# Runs the DynamoDB integration tests against Amazon's DynamoDB Local
# instead of dynalite, to check that the embedded emulator behaves like
# it. DynamoDB Local is the jar that the npm package
# amplify-dynamodb-simulator ships; it needs Java 17 or newer.
#
# DynamoDB Local binds every network interface and has no option to bind
# loopback alone, so it runs with the tests in a private network
# namespace that has only a loopback interface (this needs root), and
# with its telemetry turned off.
set -euo pipefail
cd "$(dirname "$0")/.."

simulator_version=2.9.30
cache=node_modules/.cache/dynamodb-local
port=8765
tests=(test/integration/dispatch-process.test.ts)
for file in test/integration/{lock,idempotency,ingest-handler}*.test.ts; do
  [[ -e "$file" ]] && tests+=("$file")
done

if ! command -v java >/dev/null; then
  echo "Skipped the DynamoDB Local tests: java is not installed."
  exit 0
fi
if [[ "$(id -u)" -ne 0 ]] || ! command -v unshare >/dev/null; then
  echo "Skipped the DynamoDB Local tests: they need root and unshare."
  exit 0
fi

if [[ ! -f "$cache/DynamoDBLocal.jar" ]]; then
  mkdir -p "$cache"
  archive=$(npm pack --silent "amplify-dynamodb-simulator@$simulator_version" \
    --pack-destination "$cache")
  tar -xzf "$cache/$archive" -C "$cache" --strip-components=2 \
    package/emulator
  rm "$cache/$archive"
fi

export cache port
unshare --net bash -c '
  set -euo pipefail
  ip link set lo up
  # DynamoDB Local writes a metadata file into its working folder, and
  # without -sharedDb keeps one database per access key and region, so
  # clients with other dummy credentials would not see the same tables.
  (cd "$cache" && DDB_LOCAL_TELEMETRY=0 exec java -Djava.library.path=DynamoDBLocal_lib \
    -jar DynamoDBLocal.jar -inMemory -sharedDb -disableTelemetry \
    -port "$port" >server.log 2>&1) &
  server=$!
  trap "kill $server" EXIT
  for _ in $(seq 1 60); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    sleep 0.5
  done
  TEST_DYNAMODB_ENDPOINT="http://127.0.0.1:$port" npx vitest run "$@"
' dynamodb-local "${tests[@]}"
