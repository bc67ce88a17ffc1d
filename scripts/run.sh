#!/usr/bin/env bash
# Set up, build and start Paddock's main job on a fresh Debian 12 machine:
#   scripts/run.sh [PADDOCKCTL ARGUMENTS…]     (default: policy show)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

scripts/install-deps.sh
# A development build: it runs uninstalled, finding its GSettings schema
# through `meson devenv` (a production build ignores that variable).
if [[ ! -f build-run/build.ninja ]]; then
  meson setup build-run -Ddevelopment=true >/dev/null
fi
meson compile -C build-run >/dev/null

if (( $# == 0 )); then
  set -- policy show
fi
exec meson devenv -C build-run -w "$PWD" paddockctl "$@"
