# Outlives the timeout, with a child that outlives it too.
#   timeout.sh MARKER
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/lib.sh"
dir=$(dirname "$0")
marker=$1

setsid sh "$dir/linger.sh" "$marker" > /dev/null 2>&1 &
control started true
sh "$dir/linger.sh" "$marker"
finish
