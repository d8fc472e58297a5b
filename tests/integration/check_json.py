#!/usr/bin/env python3
"""check_json.py - parse forksafe JSON from stdin with a real JSON parser and
check each Python expression given as an argument.

Names available to the expressions:
  d          the parsed document
  F(path)    the first "files" entry whose path is path (fails if absent)
  ident(p)   (dev, ino) of file p as forksafe writes them: ("MAJ:MIN", N)
  P(pid)     the "processes" entry with that pid (fails if absent)
  pids(f)    set of pids in a files entry
Exit status: 0 if all hold, 1 otherwise (each failure printed).
"""
import json
import os
import re
import sys


def main():
    text = sys.stdin.read()
    try:
        d = json.loads(text)
    except ValueError as e:
        print(f"check_json: not valid JSON: {e}\n{text[:2000]}")
        return 1

    def F(path):
        hits = [f for f in d["files"] if f["path"] == path]
        if not hits:
            raise LookupError(f"no files entry for {path!r}")
        return hits[0]

    def ident(path):
        st = os.stat(path)
        return (f"{os.major(st.st_dev)}:{os.minor(st.st_dev)}", st.st_ino)

    def P(pid):
        hits = [p for p in d["processes"] if p["pid"] == int(pid)]
        if len(hits) != 1:
            raise LookupError(f"no process {pid}")
        return hits[0]

    def pids(f):
        return {p["pid"] for p in f["processes"]}

    env = {"d": d, "F": F, "P": P, "pids": pids, "ident": ident, "os": os, "re": re}
    failed = 0
    for expr in sys.argv[1:]:
        try:
            ok = eval(expr, env)
        except Exception as e:  # report, do not crash
            ok = False
            print(f"check_json: {expr}: {type(e).__name__}: {e}")
        if not ok:
            failed += 1
            print(f"check_json: FAILED: {expr}")
    if failed:
        print(json.dumps(d, indent=1)[:4000])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
