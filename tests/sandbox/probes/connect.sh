# Connects to host sockets, and to a socket of its own.
#   connect.sh ATTACK_PROBE LABEL=ADDRESS…
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/lib.sh"
probe=$1
shift

for pair in "$@"; do
  "$probe" connect "${pair%%=*}" "${pair#*=}"
done
"$probe" unix-self own-socket "$PWD"
"$probe" tcp-self own-tcp
finish
