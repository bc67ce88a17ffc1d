# Writes into every protected name, which all exist; run at the top of
# the workspace.
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/lib.sh"

attack git-config append .git/config
attack git-config-by-git git config core.fsmonitor 'touch /tmp/pwned'
attack git-head append .git/HEAD
attack git-hooks-create append .git/hooks/pre-commit
attack git-hooks-chmod chmod +x .git/hooks/pre-commit.sample
attack git-hooks-remove rm -rf .git/hooks
attack git-commondir append .git/commondir
attack git-info-attributes append .git/info/attributes
attack git-remove rm -rf .git
attack git-rename mv .git .git-old
attack paddock-policy append .paddock/policy.json
attack paddock-create append .paddock/new.json
attack envrc-append append .envrc
attack envrc-remove rm -f .envrc
attack envrc-rename mv .envrc .envrc-old
attack envrc-chmod chmod 0777 .envrc
attack vscode-settings append .vscode/settings.json
attack vscode-tasks-create append .vscode/tasks.json
attack vscode-rename mv .vscode .vscode-old
attack idea-workspace append .idea/workspace.xml
attack husky-pre-commit append .husky/pre-commit
attack husky-create append .husky/post-checkout
attack mcp-json append .mcp.json
attack mcp-json-rename mv .mcp.json .mcp.json.old
attack gitmodules append .gitmodules
attack workflows-append append .github/workflows/ci.yml
attack workflows-create append .github/workflows/evil.yml
attack workflows-rename mv .github/workflows .github/workflows-old

control write-source sh -c 'mkdir -p src && echo "int main;" > src/main.c'
control write-github-readme append .github/README.md
control read-git-config read_nonempty .git/config
control git-reads-repository git rev-parse --git-dir
finish
