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
N=${2:-1000}
K=${3:-40}
M=${4:-200}
SCALING=${5:-}
RUNS=${RUNS:-10}
W=$(mktemp -d /tmp/forksafe-bench.XXXXXX)
FLEET=

stop_fleet() {
	if [ -n "$FLEET" ]; then
		kill "$FLEET" 2>/dev/null || true
		wait "$FLEET" 2>/dev/null || true
		FLEET=
	fi
}
trap 'stop_fleet; rm -rf "$W"' EXIT

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

hyperfine --style basic --warmup 2 --runs "$RUNS" -i --export-json "$W/h.json" \
	-n floor "$B/bench/maps-floor" \
	-n forksafe "$B/forksafe inuse --stdin <$W/targets" \
	-n lsof "lsof -n -w ${TARGETS[*]}" \
	-n fuser "fuser ${TARGETS[*]}" >/dev/null 2>&1

rss() { /usr/bin/time -f %M "$@" >/dev/null 2>"$W/rss" <"$W/targets" || true; tail -1 "$W/rss"; }
{
	echo "floor $(rss "$B/bench/maps-floor")"
	echo "forksafe $(rss "$B/forksafe" inuse --stdin)"
	echo "lsof $(rss lsof -n -w "${TARGETS[@]}")"
	echo "fuser $(rss fuser "${TARGETS[@]}")"
} >"$W/rss.txt"

python3 - "$W/h.json" "$W/rss.txt" <<'PY'
import json, sys
res = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
rss = dict(l.split() for l in open(sys.argv[2]))
f = res["floor"]
fw, fc = f["median"], f["user"] + f["system"]
print(f"{'tool':<9} {'wall s':>8} {'cpu s':>8} {'wall/floor':>10} {'cpu/floor':>10} {'peak RSS':>10}")
for name in ("floor", "forksafe", "lsof", "fuser"):
    r = res[name]
    cpu = r["user"] + r["system"]
    print(f"{name:<9} {r['median']:8.3f} {cpu:8.3f} {r['median']/fw:10.2f} {cpu/fc:10.2f} "
          f"{int(rss[name])/1024:8.1f} MiB")
PY

if [ "$SCALING" = "--scaling" ]; then
	echo "scaling (forksafe median wall time; cost should follow total mappings):"
	stop_fleet
	for n in $((N / 4)) $((N / 2)) "$N"; do
		start_fleet "$n" "$K" "$M"
		hyperfine --style basic --warmup 1 --runs "$RUNS" -i --export-json "$W/s.json" \
			-n forksafe "$B/forksafe inuse --stdin <$W/targets" >/dev/null 2>&1
		python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print(f"  {sys.argv[2]:>5} processes x {sys.argv[3]} libraries: {r[\"median\"]:.3f} s")' \
			"$W/s.json" "$n" "$K"
		stop_fleet
	done
fi
