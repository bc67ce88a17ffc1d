# Leaves processes behind: in the background, in a session of their own,
# after a double fork, with nohup.
#   background.sh MARKER
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/lib.sh"
dir=$(dirname "$0")
marker=$1

sh "$dir/linger.sh" "$marker" background &
setsid sh "$dir/linger.sh" "$marker" setsid &
(sh "$dir/linger.sh" "$marker" double-fork > /dev/null 2>&1 &) &
nohup sh "$dir/linger.sh" "$marker" nohup > /dev/null 2>&1 &
setsid -f sh "$dir/linger.sh" "$marker" setsid-fork > /dev/null 2>&1

# Give the background ones time to exec, then count them.
for i in 1 2 3 4 5 6 7 8 9 10; do
  [ "$(pgrep -f -c -- "$marker")" -ge 5 ] && break
  sleep 0.05
done
control lingerers-started sh -c '[ "$(pgrep -f -c -- "$1")" -ge 5 ]' count "$marker"
finish
