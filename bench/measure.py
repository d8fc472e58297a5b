#!/usr/bin/env python3
"""measure.py - time commands side by side, interleaved, so that noise from
other work on a shared machine falls on every command alike.

usage: measure.py RUNS NAME=COMMAND... [--stdin FILE] [--json FILE]
                  [--prepare NAME=COMMAND]...
Each round runs every command once, in turn (after one warm-up round),
starting with the next command each round.
--prepare runs COMMAND, untimed, before every run of the command NAME
(a state to restore, processes to restart).
Prints, per command, median wall time, median CPU time (user + system of
the command and its children) and peak RSS, and ratios to the first
command.  With --json FILE also writes the figures there.

Peak RSS is measured in one extra run under GNU time: the rusage of a child
forked from this interpreter would count the interpreter's own pages.
"""
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time


def prepare(cmd):
    if cmd:
        subprocess.run(shlex.split(cmd), stdin=subprocess.DEVNULL, check=True)


def run_once(cmd, stdin_path, before=None):
    prepare(before)
    with open(stdin_path or os.devnull, "rb") as fin, open(os.devnull, "wb") as null:
        t0 = time.perf_counter()
        proc = subprocess.Popen(shlex.split(cmd), stdin=fin, stdout=null, stderr=null)
        _, _, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
    return wall, usage.ru_utime + usage.ru_stime


def peak_rss_kib(cmd, stdin_path, before=None):
    prepare(before)
    with open(stdin_path or os.devnull, "rb") as fin, \
            tempfile.NamedTemporaryFile("r") as out:
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", out.name] + shlex.split(cmd),
                       stdin=fin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return int(out.read().split()[-1])


def main():
    args = sys.argv[1:]
    stdin_path = json_path = None
    before = {}
    while "--prepare" in args:
        i = args.index("--prepare")
        name, cmd = args[i + 1].split("=", 1)
        before[name] = cmd
        del args[i:i + 2]
    if "--stdin" in args:
        i = args.index("--stdin")
        stdin_path = args[i + 1]
        del args[i:i + 2]
    if "--json" in args:
        i = args.index("--json")
        json_path = args[i + 1]
        del args[i:i + 2]
    runs = int(args[0])
    cmds = [a.split("=", 1) for a in args[1:]]
    samples = {name: [] for name, _ in cmds}
    for rnd in range(runs + 1):
        # each round starts with the next command: a cost that drifts
        # within a run falls on every position alike
        k = rnd % len(cmds)
        for name, cmd in cmds[k:] + cmds[:k]:
            s = run_once(cmd, stdin_path, before.get(name))
            if rnd > 0:
                samples[name].append(s)
    res = {}
    for name, _ in cmds:
        s = samples[name]
        res[name] = {
            "wall": statistics.median(x[0] for x in s),
            "cpu": statistics.median(x[1] for x in s),
            "rss_kib": peak_rss_kib(dict(cmds)[name], stdin_path, before.get(name)),
            "samples": [{"wall": w, "cpu": c} for w, c in s],
        }
    base = res[cmds[0][0]]
    print(f"{'command':<10} {'wall s':>8} {'cpu s':>8} {'wall/' + cmds[0][0]:>12} "
          f"{'cpu/' + cmds[0][0]:>11} {'peak RSS':>10}")
    for name, _ in cmds:
        r = res[name]
        print(f"{name:<10} {r['wall']:8.3f} {r['cpu']:8.3f} {r['wall'] / base['wall']:12.2f} "
              f"{r['cpu'] / base['cpu']:11.2f} {r['rss_kib'] / 1024:7.1f} MiB")
    if json_path:
        with open(json_path, "w") as f:
            json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
