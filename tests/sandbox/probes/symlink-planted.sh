# Goes through symbolic links planted in the workspace before the run.
#   symlink-planted.sh MARK
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/lib.sh"
mark=$1

attack create-through-etc-link append "etc-link/$mark"
attack append-through-home-link append home-link/.bashrc
attack create-through-home-link append "home-link/$mark"
attack read-key-through-home-link read_nonempty home-link/.ssh/id_ed25519
attack read-key-through-file-link read_nonempty key-link
attack append-through-outside-file-link append outside-link
attack replace-link-target sh -c 'echo evil > outside-link'

control read-through-etc-link read_nonempty etc-link/passwd
control read-bashrc-through-home-link read_nonempty home-link/.bashrc
control write-through-inner-link append inner-link
finish
