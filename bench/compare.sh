#!/usr/bin/env bash
# compare.sh OLD_BUILD NEW_BUILD - two builds of forksafe side by side, the
# same commands interleaved run by run (bench/measure.py), so a change can
# be shown not to make the benchmarks worse (bench/RESULTS.md).
#   inuse   of 200 files mapped by a fleet of 1000 processes (40 libs each)
#   guard   of 10 000 in-use files, each run from an empty store
#   retire  of a store of 1000 snapshots while 1000 processes run
# Each line is new/old: wall and CPU medians.  RUNS (default 7) per command.
set -euo pipefail
A=$(cd "$1" && pwd) B=$(cd "$2" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
RUNS=${RUNS:-7}
W=$(mktemp -d /tmp/fs-compare.XXXXXX)
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
	echo "compare.sh: $1 never appeared" >&2
	exit 1
}
measure() { python3 "$HERE/measure.py" "$RUNS" "$@"; }

echo "== inuse: 200 of 1000 libraries, 1000 processes mapping 40 each =="
mkdir -p "$W/i/libs"
for ((i = 0; i < 1000; i++)); do
	cp "$A/bench/libbenchlib.so" "$(printf '%s/i/libs/lib%03d.so' "$W" "$i")"
done
"$A/bench/fleet" "$W/i/libs" 1000 40 1000 "$W/i/ready" &
KIDS+=($!)
wait_ready "$W/i/ready"
find "$W/i/libs" -name '*.so' | sort >"$W/i/all"
sed -n 1,200p "$W/i/all" >"$W/i/list"
measure "new=sh -c 'xargs $B/forksafe inuse >/dev/null 2>&1 <$W/i/list; true'" \
	"old=sh -c 'xargs $A/forksafe inuse >/dev/null 2>&1 <$W/i/list; true'"

echo "== retire: 1000 snapshots, 1000 processes =="
while read -r lib; do
	rel=${lib#"$W/i/"}
	"$A/forksafe" guard --root "$W/i" --store "$W/i/store" "$rel" >/dev/null 2>&1 || true
	cp "$lib" "$lib.new" && mv "$lib.new" "$lib"
done <"$W/i/all"
measure "new=$B/forksafe retire --store $W/i/store" "old=$A/forksafe retire --store $W/i/store"
kill "${KIDS[0]}"

echo "== guard: 10 000 in-use files, each run from an empty store =="
mkdir -p "$W/g/root/lib"
for ((d = 0; d < 100; d++)); do
	mkdir "$W/g/root/lib/d$d"
	for ((f = 0; f < 100; f++)); do printf x >"$W/g/root/lib/d$d/f$f"; done
done
(cd "$W/g/root" && find lib -type f | sort) >"$W/g/list"
sed "s|^|$W/g/root/|" "$W/g/list" | "$A/bench/mapfiles" "$W/g/ready" 2>/dev/null &
KIDS+=($!)
wait_ready "$W/g/ready"
measure --stdin "$W/g/list" \
	"new=sh -c 'rm -rf $W/g/sb; exec $B/forksafe guard --root $W/g/root --store $W/g/sb --stdin'" \
	"old=sh -c 'rm -rf $W/g/sa; exec $A/forksafe guard --root $W/g/root --store $W/g/sa --stdin'"
