# Prints a line, then BYTES more bytes of output.
#   flood.sh BYTES
# SPDX-License-Identifier: GPL-3.0-or-later
echo "CONTROL started: ok"
head -c "$1" /dev/zero | tr '\0' 'x'
echo
echo DONE
