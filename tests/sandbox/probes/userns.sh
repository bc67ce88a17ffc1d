# Makes namespaces of its own, where it would hold every capability.
#   userns.sh TRY_SYSCALL
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/lib.sh"
try=$1

attack unshare-r unshare -r true
attack unshare-U unshare -U true
attack unshare-mount unshare -m true
attack unshare-net unshare -n true
attack unshare-pid unshare -p -f true
attack nested-bwrap bwrap --ro-bind / / true
attack clone-newuser sh -c '"$1" clone-newuser | grep -q ": ok$"' clone "$try"

control clone-plain sh -c '"$1" clone-plain | grep -q ": ok$"' clone "$try"
control run-program env true
finish
