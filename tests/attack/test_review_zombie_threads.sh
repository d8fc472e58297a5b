#!/usr/bin/env bash
# test_review_zombie_threads.sh - CLASS: a process the scan cannot see
# (issue 11 item 7, found in the review of the merged fix).  A process whose
# main thread has exited is read through a live thread; the scan gave up
# after 16 threads without a memory map.  A traced thread that ends stays a
# zombie, with no map, until its tracer reaps it: a user who ptraces her own
# process and ends 20 of its threads first hides it, and `inuse` says "not
# in use" for a file it maps (so `retire --post-transaction` would drop a
# kept file it still maps).  Every listed thread must be tried.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/../integration/lib.sh"

need_attacker
HELPER=$BUILD_DIR/tests/scanhelper
H=$T/h
mkdir -m 0755 "$H"
chown "$ATTACKER_UID:$ATTACKER_GID" "$H"
as_attacker cp "$TESTLIB" "$H/lib.so"
as_attacker "$HELPER" zombies "$H/ready" "$H/lib.so" &
PIDS+=($!)
for _ in $(seq 100); do [ -s "$H/ready" ] && break; sleep 0.05; done
[ -s "$H/ready" ] || { echo "the helper did not start its process"; exit 1; }
PID=$(cat "$H/ready")
# the helper (her process's tracer and parent) first: $! is only a subshell
PIDS+=("$(awk '{ print $4 }' "/proc/$PID/stat")" "$PID")
verify "her process shows no memory map through its main thread" \
	[ "$(wc -c <"/proc/$PID/maps")" = 0 ]
verify "  and maps lib.so through its one live thread" \
	grep -q "$H/lib.so" "/proc/$PID/task/"*/maps

OUT=$("$FORKSAFE" inuse --json "$H/lib.so")
check "inuse finds the process behind 20 zombie threads" "$OUT" \
	"$PID in [p['pid'] for p in d['files'][0]['processes']]"
finish
