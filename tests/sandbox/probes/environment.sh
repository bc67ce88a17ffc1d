# Prints what the environment holds, its own and its init's.
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/lib.sh"

echo "BEGIN ENV"
env
echo "END ENV"
attack secrets-in-proc sh -c 'cat /proc/[0-9]*/environ 2>/dev/null | tr "\0" "\n" | grep PADDOCK-LEAK'
control home-set test -n "$HOME"
control path-set test -n "$PATH"
finish
