#!/usr/bin/env bash
# test_protect.sh - a process maps a library and `cp` rewrites the library
# in place.  Without protect the process dies (SIGBUS) or runs the new code
# - this shows the test can fail; after `forksafe protect` it keeps running
# the old code, and the path's metadata survives the fresh copy.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

mkdir "$T/plain" "$T/prot"
cp "$TESTLIB" "$T/plain/libp.so"
cp "$TESTLIB" "$T/prot/libp.so"

# survives PID SECONDS : is PID still alive (still answering 42) after SECONDS?
survives() {
	sleep "$2"
	kill -0 "$1" 2>/dev/null
}

# a sanitizer build of the helper must die of the signal, not report it
export ASAN_OPTIONS=handle_segv=0:handle_sigbus=0:handle_sigfpe=0:handle_sigill=0

# --- without protect -----------------------------------------------------------
"$MAPPER" --call "$T/ready1" "$T/plain/libp.so" &
M=$!
PIDS+=("$M")
wait_for "$T/ready1" "$M"
cp "$TESTLIB2" "$T/plain/libp.so"
if survives "$M" 1; then
	fail "without protect the process should die or change (it did neither)"
else
	wait "$M"
	st=$?
	if [ "$st" = 3 ] || [ "$st" -gt 128 ]; then
		pass "without protect, cp kills the process or swaps its code (status $st)"
	else
		fail "mapper ended with status $st"
	fi
fi

# --- with protect ----------------------------------------------------------------
chmod 0750 "$T/prot/libp.so"
touch -d '2001-02-03 04:05:06' "$T/prot/libp.so"
python3 - "$T/prot/libp.so" <<'PY'
import os, struct, sys
os.setxattr(sys.argv[1], "user.forksafe-test", b"kept")
# security.capability v2: cap_net_bind_service permitted
os.setxattr(sys.argv[1], "security.capability", struct.pack("<IIIII", 0x02000000, 1 << 10, 0, 0, 0))
PY
before=$(stat -c '%a %u %g %Y' "$T/prot/libp.so")
OLD=$(stat -c %i "$T/prot/libp.so")
"$MAPPER" --call "$T/ready2" "$T/prot/libp.so" &
M=$!
PIDS+=("$M")
wait_for "$T/ready2" "$M"
out=$("$FORKSAFE" protect --json --store "$T/store" "$T/prot/libp.so" 2>/dev/null)
expect_rc "protect" 0 $?
check "protect keeps the old file and replaces the path" "$out" \
	'd["replaced"] == 1 and len(d["kept"]) == 1' "d['kept'][0]['processes'][0]['pid'] == $M"
verify "the path is a new inode" [ "$(stat -c %i "$T/prot/libp.so")" != "$OLD" ]
verify "same mode, owner, group, mtime" [ "$(stat -c '%a %u %g %Y' "$T/prot/libp.so")" = "$before" ]
verify "same content" cmp -s "$TESTLIB" "$T/prot/libp.so"
verify "xattrs copied, security.capability included" python3 - "$T/prot/libp.so" <<'PY'
import os, struct, sys
assert os.getxattr(sys.argv[1], "user.forksafe-test") == b"kept"
assert struct.unpack("<IIIII", os.getxattr(sys.argv[1], "security.capability"))[1] == 1 << 10
PY
cp "$TESTLIB2" "$T/prot/libp.so"
if survives "$M" 1; then
	pass "with protect the process survives cp and still runs the old code"
else
	wait "$M"
	fail "with protect the process ended (status $?)"
fi
verify "the path has the new library" cmp -s "$TESTLIB2" "$T/prot/libp.so"
SNAP=$(jget "$out" 'd["snapshot"]')
verify "the store keeps the old inode" [ "$(stat -c %i "$T/store/$SNAP/files/$T/prot/libp.so")" = "$OLD" ]
out=$("$FORKSAFE" protect --store "$T/store" "$T/plain/libp.so" 2>/dev/null)
verify "protect of a file nobody maps does nothing" has "$out" "forksafe: nothing in use, nothing to keep"
kill "$M"
finish
