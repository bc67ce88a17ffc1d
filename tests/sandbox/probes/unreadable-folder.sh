# In two runs: the first takes the read permission away from folders,
# the second writes to what lies in them (a vendored repository, a file
# hard-linked from outside), hoping the sandbox no longer sees them.
#   unreadable-folder.sh 1|2
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/lib.sh"

if [ "$1" = 1 ]; then
  control hide-folders chmod 0300 vendor store
else
  attack nested-git-in-unreadable-folder append vendor/lib/.git/config
  attack hard-link-in-unreadable-folder append store/linked.txt
fi
control write-source append "notes-$1.txt"
finish
