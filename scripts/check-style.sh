#!/usr/bin/env bash
# What every source file must hold: UTF-8 text, no tabs in C, no
# trailing whitespace, a final newline, no CRLF, an SPDX line, and the
# GNU/GNOME brace and call spacing for function definitions.
set -uo pipefail
cd "$(dirname "$0")/.."

status=0
files=$(git ls-files '*.c' '*.h' 'meson.build' '*/meson.build' '*.json' '*.xml' '*.py' '*.sh')
for f in $files; do
  [[ -f "$f" ]] || continue
  if grep -nP '[ \t]+$' "$f" >/dev/null; then
    grep -nP '[ \t]+$' "$f" | head -3 | sed "s|^|$f:|; s|$| (trailing whitespace)|"; status=1
  fi
  if grep -nP '\r' "$f" >/dev/null; then echo "$f: CRLF line ends"; status=1; fi
  if [[ -s "$f" && $(tail -c1 "$f" | od -An -c | tr -d ' ') != '\n' ]]; then echo "$f: no newline at the end"; status=1; fi
  case "$f" in
    *.c|*.h)
      if grep -nP '\t' "$f" >/dev/null; then grep -nP '\t' "$f" | head -3 | sed "s|^|$f:|; s|$| (tab)|"; status=1; fi
      if [[ "$f" != tests/fuzz/corpus/* ]] && ! grep -q 'SPDX-License-Identifier' "$f"; then echo "$f: no SPDX-License-Identifier"; status=1; fi
      # A function definition's name starts its line and has a space before "(".
      if grep -nP '^[a-z_][a-z0-9_]*\((?!\*)' "$f" | grep -v '^[0-9]*:G_' >/dev/null; then
        grep -nP '^[a-z_][a-z0-9_]*\((?!\*)' "$f" | head -3 | sed "s|^|$f:|; s|$| (space before the parenthesis)|"; status=1
      fi
      ;;
  esac
done
exit $status
