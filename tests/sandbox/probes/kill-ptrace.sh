# Signals and traces a host process.
#   kill-ptrace.sh PID TRY_SYSCALL
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/lib.sh"
pid=$1 try=$2

# PTRACE_ATTACH is 16, PTRACE_SEIZE 0x4206.
traced () {
  "$try" ptrace "$1" "$pid" | grep -q ': ok$'
}

attack kill-probe kill -0 "$pid"
attack kill-term kill -TERM "$pid"
attack kill-kill kill -KILL "$pid"
attack ptrace-attach traced 16
attack ptrace-seize traced 0x4206
attack strace-attach strace -qq -p "$pid" -e trace=none -o /dev/null true
attack process-vm-readv sh -c '"$1" process_vm_readv "$2" 0 0 0 0 0 | grep -q ": ok$"' vm "$try" "$pid"

sleep 30 &
own=$!
control kill-own-child kill -KILL "$own"
wait "$own" 2>/dev/null
finish
