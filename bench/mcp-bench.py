#!/usr/bin/python3
# mcp-bench.py: what a tool call through `paddockctl mcp` costs, beside
# `paddockctl run` and bare bwrap, interleaved round by round on this
# machine's load. Prints medians in milliseconds and the ratios.
#
#   python3 bench/mcp-bench.py --paddockctl build/app/cli/paddockctl [--rounds 30]
#
# SPDX-License-Identifier: GPL-3.0-or-later
import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--paddockctl", required=True)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    args.paddockctl = os.path.abspath(args.paddockctl)

    root = tempfile.mkdtemp(prefix="paddock-mcp-bench-")
    env = dict(os.environ)
    for name, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_STATE_HOME", "state"), ("XDG_CACHE_HOME", "cache"),
                      ("XDG_RUNTIME_DIR", "runtime"), ("PADDOCK_SYSCONFDIR", "etc")):
        os.makedirs(os.path.join(root, sub), mode=0o700)
        env[name] = os.path.join(root, sub)
    env.pop("OTEL_EXPORTER_OTLP_ENDPOINT", None)
    project = os.path.join(root, "project")
    os.makedirs(project)
    with open(os.path.join(project, "README"), "w") as f:
        f.write("hello\n")

    server = subprocess.Popen([args.paddockctl, "mcp", "--workspace", project], cwd=project, env=env,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, start_new_session=True)
    next_id = 0

    def request(method, params):
        nonlocal next_id
        next_id += 1
        server.stdin.write(json.dumps({"jsonrpc": "2.0", "id": next_id, "method": method, "params": params}) + "\n")
        server.stdin.flush()
        answer = json.loads(server.stdout.readline())
        assert answer["id"] == next_id and "result" in answer, answer
        return answer["result"]

    request("initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                           "clientInfo": {"name": "mcp-bench", "version": "1"}})
    times = {"mcp exec true": [], "mcp read_file": [], "paddockctl run -- true": [], "bare bwrap true": []}
    bwrap = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-all",
             "--die-with-parent", "true"]
    for _ in range(args.rounds):
        start = time.perf_counter()
        result = request("tools/call", {"name": "exec", "arguments": {"command": ["true"]}})
        times["mcp exec true"].append(time.perf_counter() - start)
        assert not result["isError"], result
        start = time.perf_counter()
        result = request("tools/call", {"name": "read_file", "arguments": {"path": "README"}})
        times["mcp read_file"].append(time.perf_counter() - start)
        assert not result["isError"], result
        start = time.perf_counter()
        subprocess.run([args.paddockctl, "run", "--", "true"], cwd=project, env=env, check=True,
                       start_new_session=True)
        times["paddockctl run -- true"].append(time.perf_counter() - start)
        start = time.perf_counter()
        subprocess.run(bwrap, check=True)
        times["bare bwrap true"].append(time.perf_counter() - start)
    server.stdin.close()
    server.wait(timeout=30)

    medians = {name: statistics.median(values) * 1000 for name, values in times.items()}
    for name, value in medians.items():
        print(f"{name:28} {value:8.1f} ms")
    print(f"mcp exec / bare bwrap:       {medians['mcp exec true'] / medians['bare bwrap true']:.2f}x")
    print(f"mcp exec / paddockctl run:   {medians['mcp exec true'] / medians['paddockctl run -- true']:.2f}x")


if __name__ == "__main__":
    main()
