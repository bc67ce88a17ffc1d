# Writes outside the workspace: a file beside it, the home folder, the
# system, and the host's temporary folders.
#   write-outside.sh OUTSIDE_FILE OUTSIDE_DIR HOME MARK
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/lib.sh"
outside=$1 dir=$2 home=$3 mark=$4

attack append-beside-workspace append "$outside"
attack truncate-beside-workspace sh -c ': > "$1"' truncate "$outside"
attack remove-beside-workspace rm -f "$outside"
attack rename-beside-workspace mv "$outside" "$outside.moved"
attack chmod-beside-workspace chmod 0666 "$outside"
attack touch-beside-workspace touch -d 2001-01-01 "$outside"
attack create-beside-workspace append "$dir/$mark"
attack rename-workspace mv "$PWD" "$PWD.moved"
attack append-bashrc append "$home/.bashrc"
attack create-profile append "$home/.profile"
attack create-autostart mkdir -p "$home/.config/autostart"
attack create-in-etc append "/etc/$mark"
attack create-in-usr-local append "/usr/local/bin/$mark"
attack create-in-root append "/$mark"

control write-workspace sh -c 'echo written > notes.txt'
control write-workspace-subfolder sh -c 'mkdir -p src/deep && echo written > src/deep/file.c'
control read-bashrc read_nonempty "$home/.bashrc"
# Private folders: writable inside, invisible outside (the test checks).
control write-private-tmp append "/tmp/$mark"
control write-private-var-tmp append "/var/tmp/$mark"
control write-private-dev-shm append "/dev/shm/$mark"
finish
