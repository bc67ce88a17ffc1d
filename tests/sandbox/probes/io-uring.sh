# Sets up an io_uring, then reads a file the classic way.
#   io-uring.sh ATTACK_PROBE
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/lib.sh"

"$1" io-uring
control classic-read read_nonempty /etc/passwd
finish
