# A workspace whose .git is a "gitdir:" file pointing outside it.
#   gitdir-file.sh GITDIR
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/lib.sh"
gitdir=$1

attack rewrite-gitdir-file sh -c 'echo "gitdir: $PWD/evil-git" > .git'
attack append-gitdir-file append .git
attack remove-gitdir-file rm -f .git
attack gitdir-config append "$gitdir/config"
attack gitdir-hooks append "$gitdir/hooks/post-checkout"
attack gitdir-commondir append "$gitdir/commondir"

control read-gitdir-file read_nonempty .git
control write-source append notes.txt
finish
