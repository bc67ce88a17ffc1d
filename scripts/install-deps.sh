#!/usr/bin/env bash
# Installs what Paddock needs on Debian 12, only what is missing.
#   scripts/install-deps.sh          build and run
#   scripts/install-deps.sh --test   also what the tests need
set -euo pipefail

packages=(
  meson ninja-build pkg-config gcc gettext
  libglib2.0-dev libjson-glib-dev libsoup-3.0-dev libpsl-dev libseccomp-dev bubblewrap
  libgtk-4-dev libadwaita-1-dev libvte-2.91-gtk4-dev libsqlite3-dev libsecret-1-dev libgnutls28-dev
  dconf-gsettings-backend glib-networking
)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(
    clang libclang-rt-14-dev llvm
    dconf-cli dbus openssl valgrind gnome-keyring libsecret-tools
    desktop-file-utils appstream
    xvfb xauth at-spi2-core python3-pyatspi imagemagick git curl patch
  )
  # Node.js may come from elsewhere (NodeSource ships npm inside its
  # nodejs, which conflicts with Debian's npm): only the command counts.
  if ! command -v npm >/dev/null; then
    packages+=(nodejs npm)
  fi
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$p")
  fi
done

if (( ${#missing[@]} )); then
  echo "Installing: ${missing[*]}"
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
