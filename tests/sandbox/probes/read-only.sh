# In the read-only sandbox: nothing is writable, everything readable.
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/lib.sh"

attack write-workspace append notes.txt
attack create-in-workspace append new.txt
attack remove-in-workspace rm -f README

control read-workspace read_nonempty README
control write-private-tmp append /tmp/scratch
finish
