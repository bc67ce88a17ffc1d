# Lists and uses the descriptors the sandbox was given.
#   fds.sh ATTACK_PROBE FD…
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/lib.sh"
probe=$1
shift

"$probe" fds
for fd in "$@"; do
  attack "read-fd-$fd" read_nonempty "/proc/self/fd/$fd"
done
control read-stdin-path test -e /proc/self/fd/0
finish
