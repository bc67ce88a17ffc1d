# Runs try-syscall for each name; the test compares the answers.
#   syscalls.sh TRY_SYSCALL NAME…
# SPDX-License-Identifier: GPL-3.0-or-later
try=$1
shift
for name in "$@"; do
  "$try" "$name"
done
echo DONE
