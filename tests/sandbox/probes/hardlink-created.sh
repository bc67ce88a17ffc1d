# Makes hard links inside the sandbox to files outside the workspace.
#   hardlink-created.sh HOME OUTSIDE_FILE
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/lib.sh"
home=$1 outside=$2

attack link-bashrc ln "$home/.bashrc" made-bashrc-link
attack link-outside-file ln "$outside" made-outside-link
attack link-etc-passwd ln /etc/passwd made-passwd-link
attack write-made-bashrc-link sh -c 'test -e made-bashrc-link && printf "%s\n" PADDOCK-ATTACK >> made-bashrc-link'

control link-inside append own.txt
control make-inner-hard-link ln own.txt own-link.txt
control write-inner-hard-link append own-link.txt
finish
