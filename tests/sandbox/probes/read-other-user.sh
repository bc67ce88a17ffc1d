# Reads files of other users.
#   read-other-user.sh FILE…
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/lib.sh"

for file in "$@"; do
  attack "read-$(basename "$file")" read_nonempty "$file"
done

control read-etc-passwd grep -q '^root:' /etc/passwd
control write-source append notes.txt
finish
