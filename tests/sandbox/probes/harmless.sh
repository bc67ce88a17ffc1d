# Changes nothing that the host runs.
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/lib.sh"

control write-notes append notes.txt
control read-source read_nonempty README
finish
