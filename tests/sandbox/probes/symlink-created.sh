# Makes symbolic links inside the sandbox that point out of it.
#   symlink-created.sh HOME OUTSIDE_DIR MARK
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/lib.sh"
home=$1 dir=$2 mark=$3

# -fn: a second run finds them there already.
ln -sfn "$home" made-home-link
ln -sfn /etc made-etc-link
ln -sfn "$dir" made-outside-link
ln -sfn "$home/.ssh/id_ed25519" made-key-link

attack append-through-made-home-link append made-home-link/.bashrc
attack create-through-made-etc-link append "made-etc-link/$mark"
attack create-through-made-outside-link append "made-outside-link/$mark"
attack read-through-made-key-link read_nonempty made-key-link

control make-inner-link ln -sfn notes.txt made-inner-link
control write-through-made-inner-link append made-inner-link
finish
