#!/usr/bin/env bash
# The README demo command: set-up, build, start sift-emulator on a free port,
# run the quickstart and the ingestion examples against it, print what the
# emulator stored, stop it.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

step "build"
build_preset default sift-emulator sift-config quickstart ingestion buffered_ingestion ingestion_engine rules download file_attachments

step "sift-config check examples/telemetry_config/nostromo_lv_426.yml"
build/default/bin/sift-config check examples/telemetry_config/nostromo_lv_426.yml \
  -m examples/telemetry_config/expression_modules/kinematics.yml \
  -m examples/telemetry_config/expression_modules/string.yml

step "sift-config check examples/rules/vehicle.yml"
build/default/bin/sift-config check examples/rules/vehicle.yml \
  -m examples/rules/expression_modules/kinematics.yml \
  -m examples/rules/expression_modules/string.yml -r examples/rules/rule_modules

step "start sift-emulator on a free port"
log=$(mktemp)
# The quickstart's and the rules example's review rules are assigned to Ripley
# and tagged; Sift resolves both by name, so the emulator starts with that user
# and those tags.
build/default/bin/sift-emulator --listen 127.0.0.1:0 --http-listen 127.0.0.1:0 --summary-on-exit \
  --user ellen.ripley@weylandcorp.com --tag warning --tag thruster --tag nostromo >"$log" 2>&1 &
emulator_pid=$!
stop_emulator() { kill "$emulator_pid" 2>/dev/null || true; wait "$emulator_pid" 2>/dev/null || true; }
csv_dir=$(mktemp -d)
trap 'stop_emulator; rm -f "$log"; rm -rf "$csv_dir"' EXIT
endpoint=""
http_endpoint=""
for _ in $(seq 1 100); do
  endpoint=$(sed -n 's/^sift-emulator listening on //p' "$log")
  http_endpoint=$(sed -n 's/^sift-emulator http listening on //p' "$log")
  [[ -n "$endpoint" && -n "$http_endpoint" ]] && break
  kill -0 "$emulator_pid" 2>/dev/null || break
  sleep 0.1
done
if [[ -z "$endpoint" || -z "$http_endpoint" ]]; then
  cat "$log"
  echo "sift-emulator did not start" >&2
  exit 1
fi
echo "sift-emulator listening on $endpoint (REST file endpoints on $http_endpoint)"

for example in quickstart ingestion buffered_ingestion ingestion_engine rules; do
  step "$example --uri $endpoint --no-tls"
  build/default/bin/$example --uri "$endpoint" --no-tls
done

step "download --uri $endpoint --no-tls --out $csv_dir/nostromo.csv"
build/default/bin/download --uri "$endpoint" --no-tls --out "$csv_dir/nostromo.csv"
echo "first lines of nostromo.csv:"
head -n 4 "$csv_dir/nostromo.csv"

step "file_attachments --uri $endpoint --no-tls --rest-uri http://$http_endpoint"
build/default/bin/file_attachments --uri "$endpoint" --no-tls --rest-uri "http://$http_endpoint"

step "what the emulator stored"
kill -TERM "$emulator_pid"
wait "$emulator_pid"
trap 'rm -f "$log"; rm -rf "$csv_dir"' EXIT
grep -v '^sift-emulator \(http \)\?listening on' "$log"
