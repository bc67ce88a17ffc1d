# Types into the terminal that is its standard input.
#   tty.sh ATTACK_PROBE TRY_SYSCALL
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/lib.sh"

"$1" tty
"$2" ioctl-tiocsti 0
"$2" ioctl-tioclinux 0
finish
