# Creates every protected name in a workspace that has none of them.
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/lib.sh"

attack git-mkdir mkdir -p .git/hooks
attack git-init git init -q .
attack git-config append .git/config
attack git-file sh -c 'rmdir .git 2>/dev/null; echo "gitdir: /tmp/evil" > .git'
attack paddock-create append .paddock/policy.json
attack envrc-create append .envrc
attack envrc-remove-placeholder rm -f .envrc
attack vscode-tasks append .vscode/tasks.json
attack idea-create mkdir -p .idea/runConfigurations
attack husky-create append .husky/pre-commit
attack mcp-json-create append .mcp.json
attack gitmodules-create append .gitmodules
attack workflows-create sh -c 'mkdir -p .github/workflows && echo evil > .github/workflows/ci.yml'

control write-source sh -c 'mkdir -p src && echo "int main;" > src/main.c'
control write-dotfile append .editorconfig
finish
