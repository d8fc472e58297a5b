#!/usr/bin/env bash
# store.sh - the snapshot store's costs, side by side:
#  1. guard of F in-use files (mapped by one process) vs `cp -al` of the
#     same files (hyperfine, each run starting from an empty store / copy);
#  2. retire with S snapshots while N processes run, vs the in-use query
#     over the same files (bench/measure.py, interleaved).
#
# usage: bench/store.sh BUILD_DIR [F [N S]]
# env:   RUNS (default 10)
set -euo pipefail

B=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
F=${2:-10000}
N=${3:-1000}
S=${4:-1000}
RUNS=${RUNS:-10}
W=$(mktemp -d /tmp/forksafe-bench-store.XXXXXX)
KIDS=()
cleanup() {
	for p in "${KIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$W"
}
trap cleanup EXIT

wait_ready() {
	for _ in $(seq 1200); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	echo "not ready: $1" >&2
	exit 1
}

echo "== guard of $F in-use files vs cp -al =="
mkdir -p "$W/g/root/lib"
for ((d = 0; d < F / 100; d++)); do
	mkdir "$W/g/root/lib/d$d"
	for ((f = 0; f < 100; f++)); do printf 'x' >"$W/g/root/lib/d$d/f$f"; done
done
(cd "$W/g/root" && find lib -type f | sort) >"$W/g/list"
sed "s|^|$W/g/root/|" "$W/g/list" | "$B/bench/mapfiles" "$W/g/ready" 2>/dev/null &
KIDS+=($!)
wait_ready "$W/g/ready"
kept=$("$B/forksafe" guard --json --root "$W/g/root" --store "$W/g/check" --stdin <"$W/g/list" 2>/dev/null |
	python3 -c 'import json,sys; print(len(json.load(sys.stdin)["kept"]))')
echo "guard keeps $kept of $F files"
[ "$kept" = "$F" ] || { echo "wrong answer" >&2; exit 1; }
hyperfine --style basic --runs "$RUNS" --warmup 1 --export-json "$W/g.json" \
	--prepare "rm -rf $W/g/cpal $W/g/store" \
	-n "cp -al" "cp -al $W/g/root/lib $W/g/cpal" \
	-n guard "$B/forksafe guard --root $W/g/root --store $W/g/store --stdin --threads 2 <$W/g/list" \
	>/dev/null 2>&1
python3 - "$W/g.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
c, g = r["cp -al"], r["guard"]
print(f"cp -al  {c['median']:.3f} s   guard {g['median']:.3f} s   guard / cp -al = {g['median'] / c['median']:.2f}")
PY
kill "${KIDS[0]}"

echo "== retire with $S snapshots, $N processes running =="
mkdir -p "$W/r/libs"
for ((i = 0; i < S; i++)); do cp "$B/bench/libbenchlib.so" "$(printf '%s/r/libs/lib%03d.so' "$W" "$i")"; done
"$B/bench/fleet" "$W/r/libs" "$N" 40 "$S" "$W/r/ready" &
KIDS+=($!)
wait_ready "$W/r/ready"
(cd "$W/r" && find libs -name '*.so' | sort) >"$W/r/list"
# one transaction per snapshot: guard one library, replace it
while read -r lib; do
	"$B/forksafe" guard --root "$W/r" --store "$W/r/store" "$lib" >/dev/null 2>&1
	cp "$W/r/$lib" "$W/r/$lib.new" && mv "$W/r/$lib.new" "$W/r/$lib"
done <"$W/r/list"
echo "snapshots: $(find "$W/r/store" -maxdepth 1 -name 'snap-*' | wc -l)"
# the old libraries are what the fleet maps: ask about those identities
find "$W/r/store" -path '*/files/*' -type f | sort >"$W/r/kept"
python3 "$HERE/measure.py" "$RUNS" \
	"inuse=$B/forksafe inuse --stdin" \
	"retire=$B/forksafe retire --store $W/r/store" \
	--stdin "$W/r/kept"
"$B/forksafe" retire --json --store "$W/r/store" 2>/dev/null |
	python3 -c 'import json,sys; d=json.load(sys.stdin); print("retire keeps", sum(s["kept"] for s in d["snapshots"]), "entries, drops", sum(s["dropped"] for s in d["snapshots"]))'
