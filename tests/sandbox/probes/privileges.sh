# Privileges: what the process holds, and what setuid programs give it.
#   privileges.sh root|user
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/lib.sh"

grep -E '^(NoNewPrivs|Cap(Inh|Prm|Eff|Bnd|Amb)):' /proc/self/status
echo "UID $(id -u)"

attack su-root sh -c 'su root -c "id -u" </dev/null | grep -qx 0'
# Reading /etc/shadow takes root, unless one is root: it owns the file.
if [ "$1" != root ]; then
  attack passwd-status passwd -S root
fi
attack mount-tmpfs mount -t tmpfs none "$PWD"
attack chown-to-root sh -c 'echo x > owned.txt && chown 0:0 owned.txt && [ "$(id -u)" != 0 ]'

control setuid-program-runs su --version
control read-own-status read_nonempty /proc/self/status
finish
