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

step "Development build"
if [[ ! -f build/build.ninja ]]; then
  meson setup build -Ddevelopment=true -Dcodex="$codex" || exit 1
else
  meson configure build -Ddevelopment=true -Dcodex="$codex" || exit 1
fi
meson compile -C build || exit 1
meson test -C build --print-errorlogs --num-processes 2 || status=1
cp build/meson-logs/testlog.json "$results/dev.json"

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

step "Fuzzing the shell parser and the policy loader (${fuzz_seconds} s each)"
if [[ ! -f build-fuzz/build.ninja ]]; then
  CC=clang meson setup build-fuzz -Ddevelopment=true -Dgui=disabled -Dfuzzers=true \
    -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized || exit 1
fi
meson compile -C build-fuzz fuzz-shell fuzz-policy || exit 1
for target in shell policy; do
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
