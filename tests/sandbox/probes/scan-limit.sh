# Writes to a vendored repository and to a file hard-linked from outside,
# in a workspace with more entries than the sandbox's walk visits.
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/lib.sh"

attack nested-git-past-the-walk append vendor/lib/.git/config
attack hard-link-past-the-walk append node_modules/pkg/index.js

control write-source append notes.txt
finish
