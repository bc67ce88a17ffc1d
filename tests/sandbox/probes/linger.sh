# Stays: ignores the signals a session ending sends, and sleeps. Its
# marker argument names it in the host's process list.
#   linger.sh MARKER
# SPDX-License-Identifier: GPL-3.0-or-later
trap '' HUP TERM INT
while :; do
  sleep 300
done
