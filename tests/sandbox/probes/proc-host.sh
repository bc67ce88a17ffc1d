# Looks for a host process, the test itself, through /proc.
#   proc-host.sh PID
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/lib.sh"
pid=$1

attack host-cmdline read_nonempty "/proc/$pid/cmdline"
attack host-environ read_nonempty "/proc/$pid/environ"
attack host-cwd readlink "/proc/$pid/cwd"
attack host-root ls "/proc/$pid/root/"
attack host-fd ls "/proc/$pid/fd/"
attack host-listed sh -c 'ls /proc | grep -qx "$1"' list "$pid"

control own-cmdline read_nonempty /proc/self/cmdline
control own-status read_nonempty /proc/self/status
control sandbox-init test -r /proc/1/status
finish
