#!/usr/bin/env bash
# test_protect_sparse.sh - CLASS: floods through protect's copy (issue 11,
# item 5 c, for protect as for guard).  A process maps a 300 MiB sparse
# library with ~36 KiB of data; `protect` replaces it by a fresh copy of
# itself, which must keep the holes (use ~36 KiB, not write 300 MiB) and
# the content.  Each way protect builds its copy: beside the file (the store
# on another filesystem), inside the store (same filesystem), and on a
# tmpfs (a private mount namespace), which copies differently from ext4.
if [ "$(id -u)" = 0 ] && [ -z "${FS_TEST_MOUNT_NS:-}" ]; then
	FS_TEST_MOUNT_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/../integration/lib.sh"

OTHER=$(mktemp -d /dev/shm/forksafe-test.XXXXXX)
CLEANUPS+=("rm -rf '$OTHER'")
mkdir "$T/tmpfs"
mount -t tmpfs -o mode=0755 fs-test-sparse "$T/tmpfs" || { echo "cannot mount a tmpfs"; exit 1; }
CLEANUPS+=("umount '$T/tmpfs'")

# sparse FILE : the test library, 20 KiB of data at 150 MiB, 300 MiB long
sparse() {
	cp "$TESTLIB" "$1"
	head -c $((20 * 1024)) /dev/urandom |
		dd of="$1" bs=1M seek=150 conv=notrunc status=none
	truncate -s 300M "$1"
}

# round WHAT ROOT STORE : protect ROOT/usr/lib/libsparse.so, mapped, with STORE
round() {
	local what=$1 r=$2 store=$3 lib=$2/usr/lib/libsparse.so out rc use orig_use
	mkdir -p "$r/usr/lib"
	sparse "$lib"
	cp --sparse=always "$lib" "$T/ref"
	orig_use=$(($(stat -c '%b * %B' "$lib")))
	rm -f "$T/ready"
	start_mapper "$T/ready" "$lib"
	out=$("$FORKSAFE" protect --json --root "$r" --store "$store" /usr/lib/libsparse.so)
	rc=$?
	kill "$MAPPER_PID"
	wait "$MAPPER_PID" 2>/dev/null
	expect_rc "$what: protect" 0 "$rc"
	check "  it replaced the path" "$out" 'd["replaced"] == 1'
	use=$(($(stat -c '%b * %B' "$lib")))
	verify "  the fresh copy uses $use bytes (the original $orig_use, 300 MiB long)" \
		[ "$use" -le $((orig_use + 65536)) ]
	verify "  with the same size and content" cmp "$T/ref" "$lib"
	rm -rf "$r" "$store" "$T/ref"
}

round "copy beside the file (store on another filesystem)" "$T/r1" "$OTHER/store"
round "copy inside the store (same filesystem)" "$T/r2" "$T/r2/var/lib/forksafe"
round "on a tmpfs" "$T/tmpfs/r3" "$T/tmpfs/r3/var/lib/forksafe"
finish
