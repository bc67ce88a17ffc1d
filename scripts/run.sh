#!/usr/bin/env bash
# Set up, build and start Paddock on a fresh Debian 12 machine:
#   scripts/run.sh                         the app, with an example workspace
#   scripts/run.sh PADDOCKCTL ARGUMENTS…   paddockctl instead (check -- git push, …)
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

if (( $# > 0 )); then
  exec meson devenv -C build-run -w "$PWD" paddockctl "$@"
fi

if [[ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]]; then
  echo "run.sh: no display to show the app on; try scripts/run.sh policy show" >&2
  exit 1
fi
# The example is a copy, so trying things never touches this repository.
example="${XDG_DATA_HOME:-$HOME/.local/share}/paddock/example-workspace"
if [[ ! -d "$example" ]]; then
  mkdir -p "$(dirname "$example")"
  cp -r data/example-workspace "$example"
fi
exec meson devenv -C build-run -w "$PWD" paddock --workspace "$example"
