#!/usr/bin/env bash
# Set up, build and test everything on a fresh Debian 12 machine:
#   scripts/test.sh
# Builds the development build and runs every suite, runs the core's
# tests again under AddressSanitizer and UndefinedBehaviorSanitizer, runs
# each libFuzzer target briefly, and ends with "N passed, N failed".
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

fuzz_seconds=${PADDOCK_FUZZ_SECONDS:-45}
results=$(mktemp -d)
status=0

step() { printf '\n=== %s\n' "$*"; }

step "Installing what is missing"
scripts/install-deps.sh --test || exit 1

step "Installing the Codex CLI for the execpolicy conformance test"
codex=""
if npm install --silent --no-audit --no-fund --prefix .deps/npm @openai/codex@0.171.0 >/dev/null 2>&1; then
  codex="$root/.deps/npm/node_modules/.bin/codex"
  "$codex" --version
else
  echo "npm could not install @openai/codex: the conformance test will be skipped"
fi

step "Installing the OTLP validator's modules (protobufjs, and dd-trace for its opentelemetry-proto files)"
# A prefix of their own, so that --omit=optional leaves Codex alone. No
# skip on failure: test-telemetry's PADDOCK_OTLP_MODULES then names a
# missing folder, and it fails.
npm install --silent --no-audit --no-fund --omit=optional --prefix .deps/npm-otlp protobufjs@7.6.6 dd-trace@5.132.0 \
  >/dev/null 2>&1 || echo "npm could not install protobufjs and dd-trace: the OTLP checks will fail"

step "Installing the OpenID provider for the sign-in tests (oauth2-mock-server)"
# 8.2.3 runs on Node 20 (9.x needs 22). No skip on failure: test-sign-in
# then finds no module, and fails.
npm install --silent --no-audit --no-fund --prefix .deps/npm-oidc oauth2-mock-server@8.2.3 \
  >/dev/null 2>&1 || echo "npm could not install oauth2-mock-server: the sign-in tests will fail"

step "Installing the MCP client for the MCP tests (@modelcontextprotocol/sdk)"
# No skip on failure: test-mcp then finds no SDK, and fails.
npm install --silent --no-audit --no-fund --prefix .deps/npm-mcp @modelcontextprotocol/sdk@1.32.2 \
  >/dev/null 2>&1 || echo "npm could not install @modelcontextprotocol/sdk: the MCP tests will fail"

step "Development build"
if [[ ! -f build/build.ninja ]]; then
  meson setup build -Ddevelopment=true -Dcodex="$codex" || exit 1
else
  meson configure build -Ddevelopment=true -Dcodex="$codex" || exit 1
fi
meson compile -C build || exit 1
meson test -C build --print-errorlogs --num-processes 2 || status=1
cp build/meson-logs/testlog.json "$results/dev.json"

step "The OTLP validator's self-test"
otlp_out=$(tests/otlp/self-test.sh .deps/npm-otlp/node_modules 2>&1)
otlp_code=$?
otlp_result=OK; (( otlp_code == 0 )) || { otlp_result=FAIL; status=1; echo "$otlp_out"; }
tail -1 <<<"$otlp_out"
# count-results.py counts TAP lines: each PASS or FAIL line becomes one.
awk '/^PASS /{print "ok " ++n " " substr($0, 6)} /^FAIL /{print "not ok " ++n " " substr($0, 6)}' <<<"$otlp_out" |
  python3 -c 'import json,sys; print(json.dumps({"name": "otlp-self-test", "result": sys.argv[1], "stdout": sys.stdin.read()}))' \
    "$otlp_result" > "$results/otlp.json"

step "The sandbox suites again as an unprivileged user"
# bwrap as root runs privileged; people run it as themselves. The same
# test programs, as a user made for them, with their own runtime folder.
if [[ $(id -u) -eq 0 ]]; then
  user=paddocktest
  id -u "$user" >/dev/null 2>&1 || useradd --create-home --shell /bin/sh "$user" || exit 1
  uid=$(id -u "$user")
  home=$(getent passwd "$user" | cut -d: -f6)
  install -d -m 0700 -o "$user" -g "$user" "/run/user/$uid"
  : > "$results/as-user.json"
  for t in test-sandbox-spec test-sandbox-seccomp test-sandbox-userns test-sandbox-flatpak \
           test-sandbox-helper test-sandbox-attacks; do
    out=$(runuser -u "$user" -- env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$home" \
            XDG_RUNTIME_DIR="/run/user/$uid" G_DEBUG=gc-friendly,fatal-criticals \
            G_TEST_SRCDIR="$root/tests/sandbox" G_TEST_BUILDDIR="$root/build/tests/sandbox" \
            PADDOCK_TRY_SYSCALL="$root/build/tests/sandbox/try-syscall" \
            PADDOCK_SANDBOX_HELPER="$root/build/sandbox-helper/paddock-sandbox" \
            PADDOCK_PADDOCKCTL="$root/build/app/cli/paddockctl" \
            PADDOCK_ATTACK_PROBE="$root/build/tests/sandbox/attack-probe" \
            PADDOCK_ATTACK_PROBES="$root/tests/sandbox/probes" \
            "$root/build/tests/sandbox/$t" --tap 2>"$results/as-user-$t.log")
    code=$?
    result=OK; (( code == 0 )) || { result=FAIL; status=1; tail -40 "$results/as-user-$t.log"; }
    echo "$t as $user: $result ($(grep -c '^ok' <<<"$out") ok)"
    python3 -c 'import json,sys; print(json.dumps({"name": sys.argv[1], "result": sys.argv[2], "stdout": sys.stdin.read()}))' \
      "$t" "$result" <<<"$out" >> "$results/as-user.json"
  done
fi

step "Leak check of the requirements fetcher under valgrind"
if GSETTINGS_BACKEND=memory valgrind --quiet --leak-check=full --show-leak-kinds=definite \
     --errors-for-leak-kinds=definite --error-exitcode=1 --suppressions=tests/valgrind.supp \
     build/tests/test-requirements > "$results/valgrind-requirements.log" 2>&1; then
  echo "valgrind-requirements: ok"; echo ok > "$results/valgrind-requirements.result"
else
  echo "valgrind-requirements: FAILED"; tail -40 "$results/valgrind-requirements.log"
  echo fail > "$results/valgrind-requirements.result"; status=1
fi

step "Core tests under AddressSanitizer and UndefinedBehaviorSanitizer"
if [[ ! -f build-asan/build.ninja ]]; then
  meson setup build-asan -Ddevelopment=true -Dgui=disabled -Dcodex="$codex" \
    -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug || exit 1
fi
meson compile -C build-asan || exit 1
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
LSAN_OPTIONS=suppressions=$root/tests/lsan.supp:print_suppressions=0 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  meson test -C build-asan --suite core --print-errorlogs --num-processes 2 || status=1
cp build-asan/meson-logs/testlog.json "$results/asan.json"

step "Fuzzing the shell parser, the policy loader and the proxy's readers (${fuzz_seconds} s each)"
if [[ ! -f build-fuzz/build.ninja ]]; then
  CC=clang meson setup build-fuzz -Ddevelopment=true -Dgui=disabled -Dfuzzers=true \
    -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized || exit 1
fi
meson compile -C build-fuzz fuzz-shell fuzz-policy fuzz-proxy || exit 1
for target in shell policy proxy; do
  work=$(mktemp -d)
  if ASAN_OPTIONS=detect_leaks=1 \
     LSAN_OPTIONS=suppressions=$root/tests/lsan.supp:print_suppressions=0 \
     build-fuzz/tests/fuzz/fuzz-$target -max_total_time="$fuzz_seconds" -timeout=10 \
       -rss_limit_mb=2048 -print_final_stats=1 "$work" "tests/fuzz/corpus/$target" \
       > "$results/fuzz-$target.log" 2>&1; then
    echo "fuzz-$target: ok ($(grep -m1 'stat::number_of_executed_units' "$results/fuzz-$target.log" | awk '{print $2}') runs)"
    echo "ok" > "$results/fuzz-$target.result"
  else
    echo "fuzz-$target: FAILED"; tail -40 "$results/fuzz-$target.log"
    echo "fail" > "$results/fuzz-$target.result"
    status=1
  fi
  rm -rf "$work"
done

step "Summary"
python3 scripts/count-results.py "$results"
rm -rf "$results"
exit $status
