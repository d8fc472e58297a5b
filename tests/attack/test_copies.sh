#!/usr/bin/env bash
# test_copies.sh - CLASS: leaks and floods through the copies guard makes
# when the store is on another filesystem than a file (issue 11, item 5 b
# and c).  An unprivileged user maps her own set-uid, set-gid, sticky
# program carrying a file capability (set in her user namespace): root's
# copy of it in the store carries none of them.  A 300 MiB sparse library
# with a few KiB of data is copied with its holes.  A per-snapshot copy
# budget (guard --copy-budget, copy_budget in forksafe.conf) reports a file
# beyond it as not kept, one line, while the others are kept.
# The store is a tmpfs mounted in a mount namespace of the test's own.
if [ "$(id -u)" = 0 ] && [ -z "${FS_TEST_MOUNT_NS:-}" ]; then
	FS_TEST_MOUNT_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/../integration/lib.sh"

need_attacker
R=$T/r
mkdir -p "$R/usr/lib" "$R/home/eve" "$T/tmpfs"
mount -t tmpfs -o mode=0755 fs-test-copies "$T/tmpfs" || { echo "cannot mount a tmpfs"; exit 1; }
chown "$ATTACKER_UID:$ATTACKER_GID" "$R/home/eve"
cp "$TESTLIB" "$T/eve.so"
chmod 644 "$T/eve.so"

# her program: set-uid, set-gid, sticky, and a capability her user namespace gives it
P=$R/home/eve/prog.so
as_attacker cp "$T/eve.so" "$P"
as_attacker chmod 7755 "$P"
as_attacker unshare -Ur setcap cap_net_raw+ep "$P" 2>/dev/null || setcap cap_net_raw+ep "$P"
verify "her program is set-uid, set-gid and sticky" [ "$(stat -c %a "$P")" = 7755 ]
# shellcheck disable=SC2317 # called through verify
has_cap() { getfattr -n security.capability "$1" >/dev/null 2>&1; }
# shellcheck disable=SC2317 # called through verify
no_cap() { ! has_cap "$1"; }
verify "  and has a file capability" has_cap "$P"

# a sparse library: a few KiB of data, 300 MiB long
cp "$TESTLIB" "$R/usr/lib/libsparse.so"
truncate -s 300M "$R/usr/lib/libsparse.so"
ORIG_USE=$(($(stat -c '%b * %B' "$R/usr/lib/libsparse.so")))
verify "the sparse library uses $ORIG_USE bytes" [ "$ORIG_USE" -lt $((1024 * 1024)) ]
# a library with 4 MiB of real data, and a small one
{ cat "$TESTLIB"; head -c $((4 * 1024 * 1024)) /dev/urandom; } >"$R/usr/lib/libbig.so"
cp "$TESTLIB" "$R/usr/lib/libsmall.so"

as_attacker "$MAPPER" "$R/home/eve/ready" "$P" &
PIDS+=($!)
wait_for "$R/home/eve/ready" $!
start_mapper "$T/ready" "$R/usr/lib/libsparse.so" "$R/usr/lib/libbig.so" "$R/usr/lib/libsmall.so"

# kept FILE: the copy of FILE (under the root) in store $1
kept() { echo "$1"/snap-*/files/"$2"; }

# --- copies carry no set-uid, set-gid, sticky bit and no capability ------------------
S=$T/tmpfs/s1
"$FORKSAFE" guard --json --root "$R" --store "$S" home/eve/prog.so usr/lib/libsparse.so \
	>"$T/g1.json" 2>"$T/g1.err"
expect_rc "guard into a store on a tmpfs" 0 $?
check "  both are copies" "$(cat "$T/g1.json")" \
	'sorted(k["method"] for k in d["kept"]) == ["copy", "copy"]'
C=$(kept "$S" home/eve/prog.so)
verify "  her program's copy has mode $(stat -c %a "$C"): no set-uid, set-gid, sticky bit" \
	[ "$(stat -c %a "$C")" = 755 ]
verify "  and no file capability" no_cap "$C"
verify "  and the same content" cmp "$C" "$P"

# --- a sparse file keeps its holes -----------------------------------------------------
C=$(kept "$S" usr/lib/libsparse.so)
USE=$(($(stat -c '%b * %B' "$C")))
verify "the sparse library's copy uses $USE bytes (the original $ORIG_USE)" \
	[ "$USE" -le $((ORIG_USE + 65536)) ]
verify "  with the same size and content" cmp "$C" "$R/usr/lib/libsparse.so"

# --- a copy budget: a file beyond it is reported, the others kept --------------------
S=$T/tmpfs/s2
"$FORKSAFE" guard --json --copy-budget 1M --root "$R" --store "$S" \
	usr/lib/libbig.so usr/lib/libsparse.so usr/lib/libsmall.so >"$T/g2.json" 2>"$T/g2.err"
expect_rc "guard with a copy budget of 1 MiB" 1 $?
check "  the big library is not kept, one line says why; the others are kept" \
	"$(cat "$T/g2.json")" \
	'sorted(k["path"] for k in d["kept"]) == ["/usr/lib/libsmall.so", "/usr/lib/libsparse.so"]' \
	'len(d["failed"]) == 1 and d["failed"][0].startswith("/usr/lib/libbig.so: ") and "copy budget" in d["failed"][0]'
verify "  nothing of it is in the store" [ ! -e "$(kept "$S" usr/lib/libbig.so)" ]
out=$("$FORKSAFE" guard --copy-budget 1M --root "$R" --store "$T/tmpfs/s3" usr/lib/libbig.so 2>&1)
verify "  the text says so" has "$out" \
	"forksafe: not kept: /usr/lib/libbig.so: .*copy budget.*"

printf 'copy_budget = 1M\n' >"$T/small.conf"
out=$(printf '%s\n' usr/lib/libbig.so usr/lib/libsmall.so |
	"$FORKSAFE" hook pre-transaction --config "$T/small.conf" --root "$R" --store "$T/tmpfs/s4" 2>&1)
expect_rc "the hook with copy_budget = 1M in its configuration" 0 $?
verify "  warns about the big library" has "$out" \
	"forksafe: warning: some in-use files are not protected: /usr/lib/libbig.so: .*copy budget.*"
verify "  and keeps the small one" [ -f "$(kept "$T/tmpfs/s4" usr/lib/libsmall.so)" ]
verify "  not the big one" [ ! -e "$(kept "$T/tmpfs/s4" usr/lib/libbig.so)" ]

out=$("$FORKSAFE" guard --root "$R" --store "$T/tmpfs/s5" usr/lib/libbig.so 2>&1)
verify "the default budget keeps a 4 MiB copy" has "$out" "forksafe: kept 1 file mapped 1 time, in .*"
"$FORKSAFE" guard --copy-budget lots --root "$R" --store "$T/tmpfs/s6" usr/lib/libbig.so \
	>/dev/null 2>"$T/err"
expect_rc "a budget that is not a size" 2 $?
verify "  one line says so: $(cat "$T/err")" [ "$(wc -l <"$T/err")" = 1 ]
finish
