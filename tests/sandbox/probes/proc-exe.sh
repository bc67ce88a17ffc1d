# Opens the running programs for writing through /proc/…/exe, as the runc
# escape did.
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/lib.sh"

attack open-self-exe open_for_writing /proc/self/exe
attack open-shell-exe open_for_writing "/proc/$$/exe"
attack open-init-exe open_for_writing /proc/1/exe
attack open-shell-binary open_for_writing "$(readlink /proc/$$/exe)"
attack copy-over-self-exe sh -c 'cp /bin/true /proc/self/exe'

control read-self-exe sh -c 'cat /proc/self/exe > copy && test -s copy'
control readlink-init-exe readlink /proc/1/exe
finish
