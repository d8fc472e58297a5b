#!/usr/bin/env bash
# test_hook.sh - CLASS: a hook that breaks the transaction.  Whatever
# happens to the hook's work - a crash (SIGSEGV), an abort (SIGABRT), a hang
# (the store lock held by someone else for ever, the work stopped) - the
# hook prints one line and exits 0, or 1 with strict = yes, within the time
# limit of /etc/forksafe.conf (timeout = N seconds).  Also: a FIFO or a bad
# value in the configuration never hangs or blocks it.
#
# The work is caught while it waits for the store lock the test holds; the
# signal goes to the process doing the work (the hook's child when the work
# runs in one, else the hook itself).  Each run is bounded to 10 s.
# (tests/integration/test_pacman.sh does the same under a real pacman.)
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/../integration/lib.sh"

if [ "$(id -u)" != 0 ]; then
	echo "skipped: runs as root (root's hook and its store)"
	exit 77
fi
# under ASan, a SIGSEGV must kill the process as it does in a release build
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_segv=0"

R=$T/root
S=$T/store
mkdir -p "$R/lib"
cp "$TESTLIB" "$R/lib/libx.so"
start_mapper "$T/ready" "$R/lib/libx.so"
# The hangs test the limit itself: short, yet long enough for the work to
# reach the store lock first on a loaded machine (about 1 s, often more).
# Where the limit is not what is tested (signals, the normal path) it is
# long, so that a slow machine never turns a run into a time-out.
LIMIT=5
printf '# the tests run with short limits\ntimeout = %s\n' "$LIMIT" >"$T/quick.conf"
printf 'timeout = 30\n' >"$T/signal.conf"
printf 'timeout = %s\nstrict = yes\n' "$LIMIT" >"$T/strict.conf"
printf 'timeout = 30\nstrict = yes\n' >"$T/strict-signal.conf"
mkdir -m 0700 "$S"

# has_lock_open PID : PID has the store's lock file open (waits for it)
has_lock_open() {
	local l
	for l in /proc/"$1"/fd/*; do
		[ "$(readlink "$l" 2>/dev/null)" = "$S/lock" ] && return 0
	done
	return 1
}

# run_hook WHEN CONF SIGNAL : the hook (target lib/libx.so, which the mapper
# maps) against the locked store; once its work waits for the lock, SIGNAL
# ("none": nothing; "hook-killed": SIGKILL to the hook itself) goes to the
# process doing the work (WORKER).  Waits at
# most 10 s.  Sets RC ("hung" when it had to be killed), OUT, MS, and GONE
# (yes when the worker is gone 2 s after the hook, the lock still held).
run_hook() {
	local when=$1 conf=$2 sig=$3 hook start p
	lock_store
	start=$(date +%s%N)
	echo lib/libx.so | "$FORKSAFE" hook "$when" --root "$R" --store "$S" --config "$conf" \
		>"$T/out" 2>&1 &
	hook=$!
	WORKER=
	for _ in $(seq 200); do
		for p in $(pgrep -P "$hook") "$hook"; do
			if has_lock_open "$p"; then WORKER=$p; break 2; fi
		done
		sleep 0.05
	done
	[ -n "$WORKER" ] || echo "the hook's work never reached the store lock"
	if [ "$sig" = hook-killed ]; then
		kill -9 "$hook"
	elif [ "$sig" != none ] && [ -n "$WORKER" ]; then
		kill -s "$sig" "$WORKER"
	fi
	for _ in $(seq 200); do
		kill -0 "$hook" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$hook" 2>/dev/null; then
		kill -9 "$hook"
		wait "$hook" 2>/dev/null
		RC=hung
	else
		wait "$hook"
		RC=$?
	fi
	MS=$((($(date +%s%N) - start) / 1000000))
	OUT=$(cat "$T/out")
	# still under the lock: a worker left running could not finish now
	GONE=no
	worker_gone && GONE=yes
	unlock_store
	echo "  hook $when, $sig: exit $RC after $MS ms: $OUT"
}

# shellcheck disable=SC2317 # called through verify
one_line() { [ "$(printf '%s\n' "$1" | wc -l)" = 1 ] || { echo "not one line: $1"; return 1; }; }
worker_gone() {
	[ -n "$WORKER" ] || return 1
	for _ in $(seq 40); do
		kill -0 "$WORKER" 2>/dev/null || return 0
		sleep 0.05
	done
	echo "process $WORKER still runs"
	return 1
}

PRE_WHAT="in-use files may not be protected"
POST_WHAT="kept files were not retired"

# --- crashes and aborts ----------------------------------------------------------------------
for sig in SEGV ABRT; do
	run_hook pre-transaction "$T/signal.conf" "$sig"
	expect_rc "pre-transaction, its work killed by SIG$sig: no failure" 0 "$RC"
	verify "  one warning line naming the signal" one_line "$OUT"
	verify "  which says what it means" has "$OUT" \
		"forksafe: warning: $PRE_WHAT: the pre-transaction work was killed by SIG$sig"
	run_hook post-transaction "$T/signal.conf" "$sig"
	expect_rc "post-transaction, its work killed by SIG$sig: no failure" 0 "$RC"
	verify "  one warning line" one_line "$OUT"
	verify "  which says what it means" has "$OUT" \
		"forksafe: warning: $POST_WHAT: the post-transaction work was killed by SIG$sig"
done
run_hook pre-transaction "$T/strict-signal.conf" SEGV
expect_rc "strict = yes: a crash of the work fails the hook" 1 "$RC"
verify "  one error line" one_line "$OUT"
verify "  which says why" has "$OUT" \
	"forksafe: error: $PRE_WHAT: the pre-transaction work was killed by SIGSEGV"

# --- hangs: past the time limit the work is killed ---------------------------------------------
run_hook pre-transaction "$T/quick.conf" none
expect_rc "pre-transaction, its work waits for ever: no failure" 0 "$RC"
verify "  it waited the $LIMIT s the configuration says, not much more ($MS ms)" \
	test "$MS" -ge $((LIMIT * 1000 - 100)) -a "$MS" -lt $((LIMIT * 1000 + 6000))
verify "  one warning line" one_line "$OUT"
verify "  which says what happened" has "$OUT" \
	"forksafe: warning: $PRE_WHAT: the pre-transaction work did not finish within $LIMIT s \(timeout in $T/quick.conf\) and was stopped"
verify "  the work is gone" [ "$GONE" = yes ]
run_hook post-transaction "$T/quick.conf" STOP
expect_rc "post-transaction, its work stopped (SIGSTOP): no failure" 0 "$RC"
verify "  within the limit ($MS ms)" [ "$MS" -lt $((LIMIT * 1000 + 6000)) ]
verify "  one warning line" has "$OUT" \
	"forksafe: warning: $POST_WHAT: the post-transaction work did not finish within $LIMIT s \(timeout in $T/quick.conf\) and was stopped"
verify "  the stopped work is gone" [ "$GONE" = yes ]
run_hook post-transaction "$T/strict.conf" none
expect_rc "strict = yes: a hang fails the hook, within the limit ($MS ms)" 1 "$RC"
verify "  one error line" has "$OUT" \
	"forksafe: error: $POST_WHAT: the post-transaction work did not finish within $LIMIT s \(timeout in $T/strict.conf\) and was stopped"

run_hook pre-transaction "$T/signal.conf" hook-killed
verify "a killed hook (pacman killed) leaves no work running behind it" [ "$GONE" = yes ]

# --- the normal path: the work's own line reaches the user ------------------------------------
out=$(echo lib/libx.so | timeout 40 "$FORKSAFE" hook pre-transaction --root "$R" --store "$S" \
	--config "$T/signal.conf" 2>&1)
expect_rc "a normal pre-transaction run" 0 $?
verify "  prints the work's one line" has "$out" \
	"forksafe: kept 1 in-use file for running processes(; [0-9]+ process(es)? could not be read)?"
out=$(timeout 40 "$FORKSAFE" hook post-transaction --root "$R" --store "$S" --config "$T/signal.conf" 2>&1 </dev/null)
expect_rc "a normal post-transaction run" 0 $?
verify "  prints the work's one line" one_line "$out"
verify "  (the unreplaced file is dropped)" has "$out" "forksafe: no replaced file needs keeping.*"

# --- the configuration itself ------------------------------------------------------------------
mkfifo "$T/fifo.conf"
out=$(timeout 10 "$FORKSAFE" hook post-transaction --root "$R" --store "$S" --config "$T/fifo.conf" 2>&1 </dev/null)
expect_rc "a FIFO as configuration neither hangs nor blocks" 0 $?
verify "  it says so" has "$out" \
	"forksafe: warning: $T/fifo.conf: not a regular file; going on with the defaults" "forksafe: .*"
for bad in 0 3601 -1 1x ''; do
	printf 'timeout = %s\n' "$bad" >"$T/bad.conf"
	out=$(timeout 10 "$FORKSAFE" hook post-transaction --root "$R" --store "$S" --config "$T/bad.conf" 2>&1 </dev/null)
	expect_rc "timeout = '$bad' is refused, never blocking" 0 $?
	verify "  in one line" has "$out" \
		"forksafe: warning: $T/bad.conf:1: timeout is a number of seconds from 1 to 3600, not '$bad'; going on with the defaults" \
		"forksafe: .*"
done
finish
