# Writes through hard links that the test planted in the workspace to
# files outside it.
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/lib.sh"

attack append-hard-link append linked.txt
attack truncate-hard-link sh -c ': > linked.txt'
attack append-deep-hard-link append deep/er/linked.txt
attack append-bashrc-hard-link append bashrc-link
attack chmod-hard-link chmod 0666 linked.txt

control read-hard-link read_nonempty linked.txt
control write-own-file append own.txt
finish
