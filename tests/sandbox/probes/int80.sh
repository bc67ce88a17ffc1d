# The i386 and x32 entry points of an x86_64 kernel.
#   int80.sh ATTACK_PROBE TRY_SYSCALL
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/lib.sh"

"$1" int80-socketcall
"$2" int80-getpid
"$2" x32-getpid
"$2" getpid
finish
