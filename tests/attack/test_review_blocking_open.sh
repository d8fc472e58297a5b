#!/usr/bin/env bash
# test_review_blocking_open.sh - CLASS: a file a user controls makes root's
# forksafe wait (issue 11: wedge or hang; found in the review of the
# merged fixes).  When the store is on another filesystem, guard copies an
# in-use file: it opens the file by the name it resolved.  The user swaps
# that name with a FIFO of hers between the resolution and the open
# (renameat2 RENAME_EXCHANGE in a loop): an open without O_NONBLOCK waits
# for a writer that never comes, so guard hangs and the pre-transaction hook
# keeps nothing for anyone until its time limit.  (A write lease on her own
# file would make the same open wait 45 s per file.)  Each guard run here
# must end in a few seconds, keeping the file or saying it changed.
# The store is a tmpfs mounted in a mount namespace of the test's own.
if [ "$(id -u)" = 0 ] && [ -z "${FS_TEST_MOUNT_NS:-}" ]; then
	FS_TEST_MOUNT_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/../integration/lib.sh"

need_attacker
HELPER=$BUILD_DIR/tests/scanhelper
R=$T/r
E=$R/home/eve
mkdir -p "$E" "$T/tmpfs"
mount -t tmpfs -o mode=0755 fs-test-fifo "$T/tmpfs" || { echo "cannot mount a tmpfs"; exit 1; }
CLEANUPS+=("umount -l '$T/tmpfs'")
chown "$ATTACKER_UID:$ATTACKER_GID" "$E"
as_attacker cp "$TESTLIB" "$E/lib.so"
as_attacker mkfifo "$E/fifo"
as_attacker "$MAPPER" "$E/ready" "$E/lib.so" &
PIDS+=($!)
wait_for "$E/ready" $!

# the store copies (another filesystem) and keeps the file while nobody swaps
"$FORKSAFE" guard --root "$R" --store "$T/tmpfs/s0" home/eve/lib.so >"$T/g0.out" 2>&1
expect_rc "guard copies her mapped library into a store on a tmpfs" 0 $?
verify "  and keeps it" grep -q '^forksafe: kept 1 file' "$T/g0.out"

# she swaps the name with her FIFO while guard runs, over and over
as_attacker "$HELPER" exchange "$E" lib.so fifo 20 &
PIDS+=($!)
SWAPPER=$!
hung=0 runs=0 changed=0 end=$((SECONDS + 6))
while [ $SECONDS -lt $end ] && [ $runs -lt 40 ]; do
	runs=$((runs + 1))
	timeout 5 "$FORKSAFE" guard --root "$R" --store "$T/tmpfs/s$runs" home/eve/lib.so \
		>"$T/g.out" 2>&1
	rc=$?
	if [ $rc = 124 ]; then
		hung=$((hung + 1))
		echo "guard run $runs hung on the swapped name (killed after 5 s)"
		break
	fi
	if grep -q 'changed while being kept' "$T/g.out"; then
		changed=$((changed + 1))
	elif [ $rc != 0 ]; then
		fail "guard run $runs: exit $rc: $(head -3 "$T/g.out")"
	fi
done
verify "her swapper ran throughout (as her, for 20 s)" kill -0 "$SWAPPER"
kill "$SWAPPER" 2>/dev/null
wait "$SWAPPER" 2>/dev/null
verify "some of the $runs runs found the name swapped ($changed): the race was run" [ "$changed" -gt 0 ]
verify "no guard run of $runs waited for her FIFO" [ "$hung" = 0 ]
finish
