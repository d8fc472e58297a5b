#!/usr/bin/env bash
# report.sh - "which processes run replaced libraries?" answered by forksafe
# report, needrestart (batch, list only, libraries only) and checkrestart
# (debian-goodies; with lsof, its default, and without: -n), side by side
# in one run on the same state: a fleet of N processes each mapping K of M
# generated libraries, all of them then replaced by rename as a package
# manager does.  Prints wall time, CPU time, peak RSS and ratios to forksafe.
#
# Nothing here restarts anything or touches the system: needrestart runs
# with -r l (list only) and -l (no kernel or microcode check), checkrestart
# only ever lists; forksafe report reads a store of its own in the scratch
# directory.  The scratch directory is not under /tmp: checkrestart ignores
# deleted files there, and would answer another question.
#
# Every tool reads every process on the machine, so one process of someone
# else's with a huge memory map (65 000 mappings were seen on the shared
# VM) weighs on all alike and hides their own costs: the run happens in a
# PID namespace of its own, with its own /proc, where only the fleet and
# the tools live.  BENCH_HOST=1 measures on the machine's whole process
# table instead.
#
# usage: bench/report.sh BUILD_DIR [N K M]
set -euo pipefail

if [ -z "${BENCH_HOST:-}" ] && [ -z "${BENCH_IN_PIDNS:-}" ]; then
	exec unshare --pid --fork --mount-proc env BENCH_IN_PIDNS=1 "$0" "$@"
fi

B=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
N=${2:-200}
K=${3:-10}
M=${4:-50}
RUNS=${RUNS:-5}
for tool in needrestart checkrestart lsof; do
	command -v "$tool" >/dev/null || { echo "report.sh: $tool is missing (./dev start installs it)" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "report.sh: needrestart and checkrestart want root" >&2; exit 1; }
W=$(mktemp -d "${BENCH_SCRATCH:-/opt}/forksafe-bench.XXXXXX")
# shellcheck source-path=SCRIPTDIR source=fleet.sh
. "$HERE/fleet.sh"

mkdir "$W/libs"
for ((i = 0; i < M; i++)); do
	cp "$B/bench/libbenchlib.so" "$(printf '%s/libs/lib%03d.so' "$W" "$i")"
done
"$B/bench/fleet" "$W/libs" "$N" "$K" "$M" "$W/ready" &
FLEET=$!
for _ in $(seq 1200); do
	[ -e "$W/ready" ] && break
	kill -0 "$FLEET" 2>/dev/null || { echo "fleet died" >&2; exit 1; }
	sleep 0.1
done
[ -e "$W/ready" ] || { echo "fleet not ready after 120 s" >&2; exit 1; }
# the update: every library replaced by rename, the old ones still mapped
for f in "$W"/libs/*.so; do
	cp "$f" "$f.new" && mv -f "$f.new" "$f"
done
pgrep -P "$FLEET" | sort -n >"$W/fleet.pids"
echo "fleet: $N processes x $K libraries of $M, all replaced; $(nproc) CPUs; $(uname -r);" \
	"$(find /proc -maxdepth 1 -name '[0-9]*' | wc -l) processes in all (${BENCH_IN_PIDNS:+a PID namespace of its own}${BENCH_HOST:+the host})"
[ "$(wc -l <"$W/fleet.pids")" -eq "$N" ] || { echo "fleet has $(wc -l <"$W/fleet.pids") processes" >&2; exit 1; }

# correctness first: each tool must see every process of the fleet
"$B/forksafe" report --store "$W/store" --json 2>/dev/null >"$W/fs.json" || true
fs=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
fleet = {int(l) for l in open(sys.argv[2])}
print(len(fleet & {p["pid"] for g in d["packages"] for p in g["processes"]}))' "$W/fs.json" "$W/fleet.pids")
nr=$(needrestart -b -r l -l -v 2>&1 | sed -n "s|.* #\([0-9]*\) uses deleted $W/libs/.*|\1|p" |
	sort -n | comm -12 - "$W/fleet.pids" | wc -l)
cr=$(checkrestart -m 2>/dev/null | sed -n 's/^PROCESSES: //p')
echo "processes of the fleet found: forksafe $fs, needrestart $nr; checkrestart counts ${cr:-?} in all"
if [ "$fs" -ne "$N" ] || [ "$nr" -ne "$N" ] || [ "${cr:-0}" -lt "$N" ]; then
	echo "wrong answer" >&2
	exit 1
fi

echo "median of $RUNS interleaved rounds (ratios to forksafe):"
python3 "$HERE/measure.py" "$RUNS" \
	"forksafe=$B/forksafe report --store $W/store" \
	"needrestart=needrestart -b -r l -l" \
	"checkrestart=checkrestart" \
	"checkrestart-n=checkrestart -n" \
	--json "${JSON_OUT:-/dev/null}"
