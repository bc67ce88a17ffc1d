# lib.sh: what the probe scripts share; each sources it first.
#
#   attack LABEL COMMAND…    "ATTACK LABEL: SUCCEEDED" if COMMAND exits 0,
#                            "ATTACK LABEL: blocked" otherwise
#   control LABEL COMMAND…   "CONTROL LABEL: ok" or "CONTROL LABEL: FAILED"
#   finish                   "DONE": the script ran to its end
#
# Commands keep their output: a secret that an attack manages to read
# shows up on standard output, where the test looks for it.
#
# SPDX-License-Identifier: GPL-3.0-or-later

# The names start with "probe_": the scripts' own variables are global
# too, and must not be overwritten.
attack () {
  probe_label=$1
  shift
  if "$@"; then
    echo "ATTACK $probe_label: SUCCEEDED"
  else
    echo "ATTACK $probe_label: blocked"
  fi
}

control () {
  probe_label=$1
  shift
  if "$@"; then
    echo "CONTROL $probe_label: ok"
  else
    echo "CONTROL $probe_label: FAILED"
  fi
}

# Appends a line to FILE, creating it if need be. Writes add and never
# truncate, so that a broken sandbox costs the host one line at most.
append () {
  sh -c 'printf "%s\n" PADDOCK-ATTACK >> "$1"' append "$1"
}

# Opens FILE for writing without writing anything.
open_for_writing () {
  sh -c ': >> "$1"' open "$1"
}

# Succeeds if FILE can be read and is not empty, and prints it, with a
# line end of its own for files without one. Files of /proc say their
# size is 0: read them to know.
read_nonempty () {
  cat "$1" | grep -q '' && cat "$1" && echo
}

finish () {
  echo DONE
}
