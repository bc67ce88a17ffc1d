# Writes into protected names below the top: a vendored repository and a
# subproject's own .envrc and .vscode.
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/lib.sh"

attack nested-git-config append vendor/lib/.git/config
attack nested-git-hook append vendor/lib/.git/hooks/post-checkout
attack nested-git-remove rm -rf vendor/lib/.git
attack nested-envrc append sub/.envrc
attack nested-vscode append sub/.vscode/settings.json

control write-vendored-source append vendor/lib/README
control write-subproject append sub/main.c
finish
