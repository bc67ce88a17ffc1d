#!/usr/bin/env bash
# Self-test for tests/otlp/check-otlp-json.mjs: a good OTLP/HTTP JSON logs
# body must pass, and each broken variant must fail naming the right JSON path.
#
# Usage: tests/otlp/self-test.sh [NODE_MODULES_DIR]
#   NODE_MODULES_DIR defaults to $OTLP_NODE_MODULES, then to
#   <repo>/.deps/npm/node_modules, installed with:
#     npm install --prefix .deps/npm protobufjs@7.6.6 dd-trace@5.132.0
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
modules=${1:-${OTLP_NODE_MODULES:-$repo/.deps/npm/node_modules}}
checker=$here/check-otlp-json.mjs

if ! command -v node >/dev/null 2>&1; then
  echo "self-test: node not found" >&2
  exit 1
fi
if [[ ! -d $modules/protobufjs || ! -d $modules/dd-trace ]]; then
  echo "self-test: protobufjs/dd-trace missing in $modules" >&2
  echo "self-test: run: npm install --prefix .deps/npm protobufjs@7.6.6 dd-trace@5.132.0" >&2
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

passed=0
failed=0

# expect_ok NAME "EXPECTED STDOUT PREFIX"
expect_ok() {
  local name=$1 want=$2 out rc=0
  out=$(node "$checker" --modules "$modules" "$tmp/$name.json" 2>&1) || rc=$?
  if [[ $rc -eq 0 && $out == "ok $tmp/$name.json: $want"* ]]; then
    echo "PASS $name: $out"
    passed=$((passed + 1))
  else
    echo "FAIL $name: expected success ($want), got rc=$rc: $out"
    failed=$((failed + 1))
  fi
}

# expect_bad NAME "JSON PATH" "TEXT IN MESSAGE"
expect_bad() {
  local name=$1 path=$2 text=$3 out rc=0
  out=$(node "$checker" --modules "$modules" "$tmp/$name.json" 2>&1) || rc=$?
  if [[ $rc -eq 1 && $out == "FAIL $tmp/$name.json: $path: "* && $out == *"$text"* ]]; then
    echo "PASS $name rejected: ${out#FAIL "$tmp"/}"
    passed=$((passed + 1))
  else
    echo "FAIL $name: expected rc=1 at $path mentioning '$text', got rc=$rc: $out"
    failed=$((failed + 1))
  fi
}

# ------------------------------------------------------------ good samples

cat >"$tmp/good.json" <<'EOF'
{
  "resourceLogs": [
    {
      "resource": {
        "attributes": [
          { "key": "service.name", "value": { "stringValue": "paddock" } },
          { "key": "service.version", "value": { "stringValue": "0.1.0" } },
          { "key": "service.instance.id", "value": { "stringValue": "7f3c2a9e-1b5d-4c8e-9a0f-2d6b8e4c1a37" } },
          { "key": "host.name", "value": { "stringValue": "devbox" } },
          { "key": "process.pid", "value": { "intValue": "4242" } }
        ]
      },
      "scopeLogs": [
        {
          "scope": { "name": "paddock.audit", "version": "0.1.0" },
          "logRecords": [
            {
              "timeUnixNano": "1730000000000000000",
              "observedTimeUnixNano": "1730000000000500000",
              "severityNumber": 9,
              "severityText": "INFO",
              "eventName": "paddock.proxy.request",
              "body": { "stringValue": "CONNECT api.example.org:443 allowed by policy" },
              "attributes": [
                { "key": "server.address", "value": { "stringValue": "api.example.org" } },
                { "key": "server.port", "value": { "intValue": "443" } },
                { "key": "paddock.allowed", "value": { "boolValue": true } },
                { "key": "paddock.latency_ms", "value": { "doubleValue": 12.5 } },
                { "key": "paddock.rules", "value": { "arrayValue": { "values": [ { "stringValue": "net.allow" }, { "intValue": 3 } ] } } },
                { "key": "paddock.sni", "value": { "bytesValue": "YXBpLmV4YW1wbGUub3Jn" } }
              ],
              "traceId": "5b8efff798038103d269b633813fc60c",
              "spanId": "eee19b7ec3c1b174",
              "flags": 1
            },
            {
              "observedTimeUnixNano": "1730000001000000000",
              "severityNumber": 17,
              "severityText": "ERROR",
              "eventName": "paddock.policy.denied",
              "body": {
                "kvlistValue": {
                  "values": [
                    { "key": "path", "value": { "stringValue": "/etc/shadow" } },
                    { "key": "mode", "value": { "stringValue": "read" } }
                  ]
                }
              },
              "droppedAttributesCount": 0
            }
          ],
          "schemaUrl": "https://opentelemetry.io/schemas/1.26.0"
        }
      ],
      "schemaUrl": "https://opentelemetry.io/schemas/1.26.0"
    }
  ]
}
EOF

# Also legal proto3 JSON: original field names, an enum by name, 64-bit
# values as JSON numbers, upper-case hex ids.
cat >"$tmp/good-snake-case.json" <<'EOF'
{"resource_logs":[{"resource":{"attributes":[{"key":"service.name","value":{"string_value":"paddock"}}]},
 "scope_logs":[{"scope":{"name":"paddock.audit"},"log_records":[
  {"time_unix_nano":1730000000000000000,"severity_number":"SEVERITY_NUMBER_WARN","event_name":"paddock.tripwire",
   "trace_id":"5B8EFFF798038103D269B633813FC60C","span_id":"EEE19B7EC3C1B174",
   "body":{"int_value":-7}}]}]}]}
EOF

# ------------------------------------------------------------ bad samples

cat >"$tmp/bad-unknown-key.json" <<'EOF'
{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"paddock"}}]},
 "scopeLogs":[{"logRecords":[
  {"timeUnixNano":"1730000000000000000","severityNumber":9,"eventName":"paddock.proxy.request",
   "body":{"stringValue":"ok"},"level":"info"}]}]}]}
EOF

cat >"$tmp/bad-intvalue-object.json" <<'EOF'
{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"paddock"}},
  {"key":"process.pid","value":{"intValue":{"low":4242,"high":0}}}]},
 "scopeLogs":[{"logRecords":[{"timeUnixNano":"1730000000000000000","body":{"stringValue":"ok"}}]}]}]}
EOF

cat >"$tmp/bad-traceid-base64.json" <<'EOF'
{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"paddock"}}]},
 "scopeLogs":[{"logRecords":[{"timeUnixNano":"1730000000000000000","body":{"stringValue":"ok"},
  "traceId":"W47/95gDgQPSabYzgT/GDA==","spanId":"eee19b7ec3c1b174"}]}]}]}
EOF

cat >"$tmp/bad-anyvalue-two-members.json" <<'EOF'
{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"paddock"}}]},
 "scopeLogs":[{"logRecords":[{"timeUnixNano":"1730000000000000000",
  "body":{"stringValue":"42","intValue":"42"}}]}]}]}
EOF

cat >"$tmp/bad-logrecords-not-array.json" <<'EOF'
{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"paddock"}}]},
 "scopeLogs":[{"logRecords":{"timeUnixNano":"1730000000000000000","body":{"stringValue":"ok"}}}]}]}
EOF

cat >"$tmp/bad-no-timestamp.json" <<'EOF'
{"resourceLogs":[{"scopeLogs":[{"logRecords":[
  {"timeUnixNano":"1730000000000000000","body":{"stringValue":"ok"}},
  {"timeUnixNano":"0","severityNumber":9,"body":{"stringValue":"no time"}}]}]}]}
EOF

cat >"$tmp/bad-severity-range.json" <<'EOF'
{"resourceLogs":[{"scopeLogs":[{"logRecords":[
  {"timeUnixNano":"1730000000000000000","severityNumber":25,"body":{"stringValue":"too severe"}}]}]}]}
EOF

cat >"$tmp/bad-duplicate-json-key.json" <<'EOF'
{"resourceLogs":[{"scopeLogs":[{"logRecords":[
  {"timeUnixNano":"1730000000000000000","timeUnixNano":"1730000000000000001"}]}]}]}
EOF

cat >"$tmp/bad-empty-anyvalue.json" <<'EOF'
{"resourceLogs":[{"scopeLogs":[{"logRecords":[
  {"timeUnixNano":"1730000000000000000","body":{}}]}]}]}
EOF

cat >"$tmp/bad-time-as-float.json" <<'EOF'
{"resourceLogs":[{"scopeLogs":[{"logRecords":[
  {"timeUnixNano":1.73e18,"body":{"stringValue":"ok"}}]}]}]}
EOF

# ------------------------------------------------------------ run

lr='$.resourceLogs[0].scopeLogs[0].logRecords'
expect_ok good '1 resource logs, 2 log records'
expect_ok good-snake-case '1 resource logs, 1 log records'
expect_bad bad-unknown-key "${lr}[0].level" 'unknown field "level"'
expect_bad bad-intvalue-object '$.resourceLogs[0].resource.attributes[1].value.intValue' 'got an object'
expect_bad bad-traceid-base64 "${lr}[0].traceId" 'hex'
expect_bad bad-anyvalue-two-members "${lr}[0].body" 'exactly one'
expect_bad bad-logrecords-not-array "$lr" 'must be a JSON array'
expect_bad bad-no-timestamp "${lr}[1]" 'neither timeUnixNano nor observedTimeUnixNano'
expect_bad bad-severity-range "${lr}[0].severityNumber" 'outside 1..24'
expect_bad bad-duplicate-json-key "${lr}[0].timeUnixNano" 'duplicate key'
expect_bad bad-empty-anyvalue "${lr}[0].body" 'exactly one'
expect_bad bad-time-as-float "${lr}[0].timeUnixNano" 'integer'

# Several files at once: one bad file makes the whole run fail.
rc=0
node "$checker" --modules "$modules" "$tmp/good.json" "$tmp/bad-unknown-key.json" >/dev/null 2>&1 || rc=$?
if [[ $rc -eq 1 ]]; then
  echo "PASS mixed good+bad run exits 1"
  passed=$((passed + 1))
else
  echo "FAIL mixed good+bad run: expected rc=1, got $rc"
  failed=$((failed + 1))
fi

echo "otlp: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
