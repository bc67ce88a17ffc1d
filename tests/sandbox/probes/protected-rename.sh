# Moves the folder that holds a protected name away and puts a new one
# in its place: the host then finds the attacker's .github/workflows or
# vendor/lib/.git at the path it trusts.
#   protected-rename.sh workflows|nested-git
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/lib.sh"

replace_workflows () {
  mv .github .github-old &&
    mkdir -p .github/workflows &&
    cp .github-old/workflows/ci.yml .github/workflows/ci.yml &&
    printf '%s\n' '# PADDOCK-ATTACK' >> .github/workflows/ci.yml
}

replace_nested_git () {
  mv vendor/lib vendor/lib-old &&
    cp -R vendor/lib-old vendor/lib &&
    printf '%s\n' '# PADDOCK-ATTACK' >> vendor/lib/.git/config
}

if [ "$1" = workflows ]; then
  attack workflows-by-renaming-parent replace_workflows
else
  attack nested-git-by-renaming-parent replace_nested_git
fi

control write-source append notes.txt
finish
