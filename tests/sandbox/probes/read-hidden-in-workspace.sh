# The workspace is the home folder itself: what deny_read hides must
# stay hidden, though the folder around it is writable. The names are
# not on the command line, where the policy would see them.
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/lib.sh"

attack read-ssh-key read_nonempty .ssh/id_ed25519
attack write-ssh-authorized-keys append .ssh/authorized_keys
attack read-netrc read_nonempty .netrc
attack write-netrc append .netrc
attack read-npmrc read_nonempty .npmrc
attack write-npmrc append .npmrc

control read-bashrc read_nonempty .bashrc
control write-notes append notes.txt
finish
