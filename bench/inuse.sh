#!/usr/bin/env bash
# inuse.sh - the in-use question answered by forksafe, lsof, fuser and the
# floor (bench/floor.c: only reads every /proc/PID/maps, one thread), side by
# side in one run against a fleet of N processes each mapping K of M
# generated libraries.  Prints wall time, CPU time, peak RSS and ratios to
# the floor.
#
# usage: bench/inuse.sh BUILD_DIR [N K M] [--scaling]
set -euo pipefail

B=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
N=${2:-1000}
K=${3:-40}
M=${4:-200}
SCALING=${5:-}
RUNS=${RUNS:-10}
W=$(mktemp -d /tmp/forksafe-bench.XXXXXX)
# shellcheck source-path=SCRIPTDIR source=fleet.sh
. "$HERE/fleet.sh"

start_fleet() { # N K M
	rm -f "$W/ready"
	"$B/bench/fleet" "$W/libs" "$1" "$2" "$3" "$W/ready" &
	FLEET=$!
	for _ in $(seq 1200); do
		[ -e "$W/ready" ] && return 0
		kill -0 "$FLEET" 2>/dev/null || { echo "fleet died" >&2; exit 1; }
		sleep 0.1
	done
	echo "fleet not ready after 120 s" >&2
	exit 1
}

mkdir "$W/libs"
for ((i = 0; i < M; i++)); do
	cp "$B/bench/libbenchlib.so" "$(printf '%s/libs/lib%03d.so' "$W" "$i")"
done
find "$W/libs" -name '*.so' | sort >"$W/targets"
mapfile -t TARGETS <"$W/targets"

start_fleet "$N" "$K" "$M"
echo "fleet: $N processes x $K libraries of $M; $(nproc) CPUs; $(uname -r)"
"$B/bench/maps-floor"

# correctness first: every (process, library) pair must be attributed
pairs=$("$B/forksafe" inuse --json --stdin <"$W/targets" |
	python3 -c 'import json,sys; print(sum(len(f["processes"]) for f in json.load(sys.stdin)["files"]))') || true
echo "forksafe attributes $pairs (process, library) pairs; the fleet has $((N * K))"
[ "$pairs" -eq $((N * K)) ] || { echo "wrong answer" >&2; exit 1; }

echo "median of $RUNS interleaved rounds:"
python3 "$HERE/measure.py" "$RUNS" \
	"floor=$B/bench/maps-floor" \
	"forksafe=$B/forksafe inuse --stdin" \
	"lsof=lsof -n -w ${TARGETS[*]}" \
	"fuser=fuser ${TARGETS[*]}" \
	--stdin "$W/targets" --json "${JSON_OUT:-/dev/null}"

if [ "$SCALING" = "--scaling" ]; then
	echo "targets: the same fleet asked about ten times as many files (unused ones added):"
	mkdir "$W/more"
	for ((i = 0; i < 9 * M; i++)); do : >"$W/more/f$i.so"; done
	{ cat "$W/targets"; find "$W/more" -name '*.so'; } >"$W/targets10"
	python3 "$HERE/measure.py" "$RUNS" "floor=$B/bench/maps-floor" \
		"forksafe=$B/forksafe inuse --stdin" --stdin "$W/targets" | sed 's/^/    /'
	python3 "$HERE/measure.py" "$RUNS" "floor=$B/bench/maps-floor" \
		"forksafe=$B/forksafe inuse --stdin" --stdin "$W/targets10" | sed 's/^/    /'
	echo "processes: cost should follow the number of mappings:"
	stop_fleet
	for n in $((N / 4)) $((N / 2)) "$N"; do
		start_fleet "$n" "$K" "$M"
		echo "  $n processes x $K libraries:"
		python3 "$HERE/measure.py" "$RUNS" "floor=$B/bench/maps-floor" \
			"forksafe=$B/forksafe inuse --stdin" --stdin "$W/targets" | sed 's/^/    /'
		stop_fleet
	done
fi
