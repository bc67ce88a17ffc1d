#!/usr/bin/env python3
# watch-bench.py: what recording refused file access costs (the spec's
# watch_files, on for every `paddockctl agent` session)
#
#   python3 bench/watch-bench.py [--helper build/sandbox-helper/paddock-sandbox] [--rounds 20]
#
# Times, interleaved round by round so that all see the same load, the
# same commands under paddock-sandbox with watch_files off and on, and
# under bare bwrap: `true`, and a Python that opens every
# /usr/share/doc/*/copyright (hundreds of opens in one process). Prints
# medians and ratios; asserts nothing.
#
# SPDX-License-Identifier: GPL-3.0-or-later
import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time

OPENER = ("import glob\n"
          "n = 0\n"
          "for p in glob.glob('/usr/share/doc/*/copyright'):\n"
          "    with open(p, 'rb') as f: n += len(f.read(64))\n")

parser = argparse.ArgumentParser()
parser.add_argument("--helper", default="build/sandbox-helper/paddock-sandbox")
parser.add_argument("--rounds", type=int, default=20)
args = parser.parse_args()

# The same small environment for all: a PATH of shims would cost more
# than the sandbox.
ENV = {"PATH": "/usr/bin:/bin", "HOME": os.path.expanduser("~"),
       "XDG_RUNTIME_DIR": os.environ.get("XDG_RUNTIME_DIR", "/tmp")}
workspace = tempfile.mkdtemp(prefix="watch-bench-", dir=os.path.expanduser("~"))
workloads = {"true": ["true"], "open the copyrights": ["python3", "-c", OPENER]}


def spec(argv, watch):
    value = {"version": 1, "argv": argv, "cwd": workspace, "mode": "workspace-write", "workspace": workspace,
             "writable": [workspace], "hidden": [os.path.expanduser("~/.ssh")],
             "env": {"PATH": "/usr/bin:/bin"}}
    if watch:
        value["watch_files"] = True
    return json.dumps(value).encode()


def helper_run(argv, watch):
    read, write = os.pipe()
    os.write(write, spec(argv, watch))
    os.close(write)
    start = time.perf_counter()
    subprocess.run([args.helper, "--spec-fd", "3"], pass_fds=(read,), stdin=subprocess.DEVNULL, env=ENV,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True,
                   preexec_fn=lambda: os.dup2(read, 3))
    elapsed = time.perf_counter() - start
    os.close(read)
    return elapsed


def bwrap_run(argv, watch):
    start = time.perf_counter()
    subprocess.run(["bwrap", "--unshare-all", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
                    "--bind", workspace, workspace, "--chdir", workspace, "--"] + argv,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=ENV)
    return time.perf_counter() - start


contenders = [("bare bwrap", bwrap_run, False), ("paddock-sandbox", helper_run, False),
              ("paddock-sandbox, watch_files", helper_run, True)]
for name, argv in workloads.items():
    times = {c[0]: [] for c in contenders}
    for runner in contenders:
        runner[1](argv, runner[2])  # warm
    for _ in range(args.rounds):
        for label, run, watch in contenders:
            times[label].append(run(argv, watch) * 1000)
    base = statistics.median(times["paddock-sandbox"])
    bare = statistics.median(times["bare bwrap"])
    print(f"\n{name} ({args.rounds} rounds, medians)")
    print("| | median | ÷ bare bwrap | ÷ unwatched |")
    print("|---|---|---|---|")
    for label, _, _ in contenders:
        m = statistics.median(times[label])
        print(f"| {label} | {m:.1f} ms | {m / bare:.2f} | {m / base:.2f} |")
os.rmdir(workspace)
