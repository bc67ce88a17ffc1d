# Reads the paths that sandbox.deny_read hides, in every way at hand.
#   read-hidden.sh HOME
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/lib.sh"
home=$1

attack read-ssh-key read_nonempty "$home/.ssh/id_ed25519"
attack list-ssh sh -c 'ls -A "$1/.ssh" | grep .' list "$home"
attack read-aws-credentials read_nonempty "$home/.aws/credentials"
attack read-netrc read_nonempty "$home/.netrc"
attack read-gh-hosts read_nonempty "$home/.config/gh/hosts.yml"
attack read-gnupg read_nonempty "$home/.gnupg/private-keys-v1.d/key.key"
attack read-keyring read_nonempty "$home/.local/share/keyrings/login.keyring"
attack read-through-proc-root read_nonempty "/proc/self/root$home/.ssh/id_ed25519"
attack grep-home sh -c 'grep -r PADDOCK-SECRET "$1" 2>/dev/null' grep "$home"
attack write-authorized-keys append "$home/.ssh/authorized_keys"

control read-bashrc read_nonempty "$home/.bashrc"
control read-home-notes read_nonempty "$home/notes.txt"
finish
