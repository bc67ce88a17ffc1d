# Crashes, after trying to allow a core dump.
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/lib.sh"

echo "CORE LIMIT $(ulimit -c)"
attack raise-core-limit sh -c 'ulimit -c unlimited'
sh -c 'ulimit -c unlimited 2>/dev/null; kill -SEGV $$'
echo "CRASH STATUS $?"
control write-source append notes.txt
finish
