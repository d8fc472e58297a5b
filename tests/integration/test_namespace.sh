#!/usr/bin/env bash
# test_namespace.sh - processes in another mount namespace or a chroot:
# found by identity, their paths shown as they see them.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

if ! unshare -m true 2>/dev/null; then
	echo "skipped: unshare -m is not available here"
	exit 77
fi

# --- another mount namespace: the library is reached through a bind mount
# that exists only there --------------------------------------------------------
mkdir "$T/real" "$T/view"
cp "$TESTLIB" "$T/real/lib.so"
# shellcheck disable=SC2016 # expanded by the inner sh
unshare -m --propagation private sh -c 'mount --bind "$1/real" "$1/view" && exec "$2" "$1/ready" "$1/view/lib.so"' \
	sh "$T" "$MAPPER" &
PIDS+=($!)
wait_for "$T/ready" $!
M=$(pgrep -f "^$MAPPER $T/ready")
[ -n "$M" ] || { echo "mapper not found"; exit 1; }
PIDS+=("$M")
[ -e "$T/view/lib.so" ] && { echo "bind mount leaked into our namespace"; exit 1; }

out=$("$FORKSAFE" inuse --json "$T/real/lib.so")
expect_rc "inuse finds the foreign-namespace user" 1 $?
check "attributed by identity" "$out" "pids(F('$T/real/lib.so')) == {$M}"
out=$("$FORKSAFE" ps --json)
check "ps shows the process's own view" "$out" \
	"P($M)['foreign_mount_ns'] is True" \
	"[i for i in P($M)['images'] if i['path'] == '$T/view/lib.so' and (i['dev'], i['ino']) == ident('$T/real/lib.so')]"
kill "$M"

# --- a chroot in our namespace: paths shown inside the chroot -----------------
C=$T/croot
mkdir -p "$C/usr" "$C/t"
ln -s usr/lib "$C/lib"; ln -s usr/lib64 "$C/lib64"; ln -s usr/bin "$C/bin"
cp "$MAPPER" "$C/t/mapper"; cp "$TESTLIB" "$C/t/lib.so"
mount --bind -o ro /usr "$C/usr" || { echo "skipped: cannot bind-mount /usr"; exit 77; }
CLEANUPS+=("umount -l '$C/usr'")
chroot "$C" /t/mapper /t/ready /t/lib.so &
CP=$!
PIDS+=("$CP")
wait_for "$C/t/ready" "$CP"
out=$("$FORKSAFE" inuse --json "$C/t/lib.so" /usr/lib/x86_64-linux-gnu/libc.so.6)
expect_rc "inuse finds the chrooted user" 1 $?
check "chrooted process attributed by identity" "$out" \
	"$CP in pids(F('$C/t/lib.so'))" "$CP in pids(F('/usr/lib/x86_64-linux-gnu/libc.so.6'))"
out=$("$FORKSAFE" ps --json)
check "ps shows paths inside the chroot" "$out" \
	"P($CP)['root'] == '$C'" "P($CP)['exe'] == '/t/mapper'" \
	"P($CP)['foreign_mount_ns'] is False" \
	"any(i['path'] == '/t/lib.so' for i in P($CP)['images'])" \
	"any(i['path'].startswith('/usr/lib/') for i in P($CP)['images'])"
finish
