#!/usr/bin/env bash
# test_attack.sh - a root-run store must not be steerable by another user:
# stores and parents writable by others are refused, symlinks and
# hardlinks planted in the store are removed as names (never followed),
# hostile manifests are refused, targets cannot leave the root, and a walk
# never crosses into another filesystem.  Nothing outside the store is
# touched; every refusal is one clear line.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ]; then
	echo "skipped: the attack cases need root (they plant files as another user)"
	exit 77
fi
NOBODY=65534
mkdir -p "$T/victim" "$T/r/usr/lib"
echo secret >"$T/victim/secret"
echo secret2 >"$T/victim/secret2"
victim_state() { stat -c '%n %i %s %h' "$T/victim/secret" "$T/victim/secret2"; cat "$T/victim"/*; }
BEFORE=$(victim_state)
cp "$TESTLIB" "$T/r/usr/lib/liba.so"

# refused LABEL PATTERN CMD... : exit 2, one line naming the problem
refused() {
	local what=$1 pattern=$2
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	local rc=$?
	if [ "$rc" = 2 ] && [ "$(wc -l <"$T/err")" = 1 ] && grep -q -- "$pattern" "$T/err"; then
		pass "$what: $(cat "$T/err")"
	else
		fail "$what: exit $rc: $(cat "$T/err")"
	fi
}

start_mapper "$T/ready" "$T/r/usr/lib/liba.so"
M=$MAPPER_PID

# --- stores another user could change --------------------------------------------
mkdir -m 0777 "$T/s-open"
refused "store writable by others" "writable by another user" \
	"$FORKSAFE" guard --store "$T/s-open" "$T/r/usr/lib/liba.so"
mkdir -m 0777 "$T/p-open"
refused "store under a parent writable by others" "writable by another user" \
	"$FORKSAFE" guard --store "$T/p-open/store" "$T/r/usr/lib/liba.so"
verify "  and it was not created there" test ! -e "$T/p-open/store"
mkdir -m 0700 "$T/s-nobody"
chown "$NOBODY" "$T/s-nobody"
refused "store owned by another user" "not owned by root" \
	"$FORKSAFE" guard --store "$T/s-nobody" "$T/r/usr/lib/liba.so"
mkdir "$T/real"
ln -s "$T/real" "$T/link"
refused "store reached through a symlink" "symlink" \
	"$FORKSAFE" guard --store "$T/link/store" "$T/r/usr/lib/liba.so"
# a target leaving the root is skipped (one line), never followed
out=$("$FORKSAFE" guard --root "$T/r" --store "$T/s" ../../victim/secret 2>&1)
verify "target leaving the root: skipped" has "$out" \
	"forksafe: skipped \.\./\.\./victim/secret: leaves the root through '\.\.'"
chmod 755 "$T"
mkdir -m 0700 "$T/s-root"
refused "an unprivileged user cannot use root's store" "Permission denied" \
	setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups \
	"$FORKSAFE" status --store "$T/s-root/store"

# --- symlinks and hardlinks planted in a snapshot ----------------------------------
S=$T/s
SNAP=$(jget "$("$FORKSAFE" guard --json --store "$S" --root "$T/r" usr/lib/liba.so 2>/dev/null)" 'd["snapshot"]')
verify "guard made a snapshot" [ -n "$SNAP" ]
FILES=$S/$SNAP/files
rm "$FILES/usr/lib/liba.so"
ln -s "$T/victim/secret" "$FILES/usr/lib/liba.so"       # the entry is now a symlink
ln -s "$T/victim" "$FILES/usr/planted-dir"              # a symlink to a directory
ln "$T/victim/secret2" "$FILES/usr/lib/planted-hardlink" # a hardlink to a file outside
kill "$M"; wait "$M" 2>/dev/null
"$FORKSAFE" retire --store "$S" --post-transaction >/dev/null 2>&1
expect_rc "retire over planted links" 0 $?
verify "the snapshot is removed" test ! -e "$S/$SNAP"
verify "nothing outside the store changed: names removed, never followed" \
	[ "$(victim_state)" = "$BEFORE" ]

# --- hostile manifests ---------------------------------------------------------------
start_mapper "$T/ready2" "$T/r/usr/lib/liba.so"
M=$MAPPER_PID
for bad in "entry 1 2 3 4 link ../../victim/secret" "entry 1 2 3 4 link /etc/passwd" \
	"entry 1 2 3 4 link usr/../../x" "entry 1 2 3 4 link a//b" "garbage"; do
	SNAP=$(jget "$("$FORKSAFE" guard --json --store "$S" --root "$T/r" usr/lib/liba.so 2>/dev/null)" 'd["snapshot"]')
	printf 'forksafe-snapshot 1\nroot /\ncreated 1\n%s\n' "$bad" >"$S/$SNAP/manifest"
	out=$("$FORKSAFE" retire --json --store "$S" --post-transaction 2>/dev/null)
	rc=$?
	check "hostile manifest '$bad': left alone" "$out" \
		"[s for s in d['snapshots'] if s['name'] == '$SNAP' and s['problem'] and not s['removed']]"
	expect_rc "  retire says something was left alone" 1 "$rc"
	verify "  the snapshot is still there" test -d "$S/$SNAP"
	rm -rf "${S:?}/$SNAP"
done
SNAP=$(jget "$("$FORKSAFE" guard --json --store "$S" --root "$T/r" usr/lib/liba.so 2>/dev/null)" 'd["snapshot"]')
rm "$S/$SNAP/manifest"
ln -s /etc/passwd "$S/$SNAP/manifest"
out=$("$FORKSAFE" status --json --store "$S" 2>/dev/null)
check "a manifest that is a symlink is not read" "$out" \
	"[s for s in d['snapshots'] if s['name'] == '$SNAP' and s['problem']]"
rm -rf "${S:?}/$SNAP"

# --- another filesystem mounted inside the store ----------------------------------------
if unshare -m true 2>/dev/null; then
	SNAP=$(jget "$("$FORKSAFE" guard --json --store "$S" --root "$T/r" usr/lib/liba.so 2>/dev/null)" 'd["snapshot"]')
	kill "$M"; wait "$M" 2>/dev/null
	mkdir "$S/$SNAP/files/mnt"
	# shellcheck disable=SC2016 # expanded by the inner sh
	unshare -m sh -c 'mount -t tmpfs none "$1/files/mnt" && echo keep >"$1/files/mnt/f" &&
		"$2" retire --store "$3" --post-transaction >/dev/null 2>&1
		test -e "$1/files/mnt/f" || test -e "$3/.dead-$4/files/mnt/f"' \
		sh "$S/$SNAP" "$FORKSAFE" "$S" "$SNAP"
	verify "a mount inside the store is not entered" [ $? = 0 ]
	"$FORKSAFE" retire --store "$S" >/dev/null 2>&1
	verify "  once unmounted, the next retire finishes the removal" \
		[ -z "$(find "$S" -mindepth 1 -not -name lock -not -name pkgdb.solv)" ]
else
	echo "skipped: another filesystem in the store (no unshare -m)"
fi
# --- a directory where protect's copy would be (her object, swapped in and cut short) ---
mkdir -p "$S/.tmp-protect-1-0/her"
echo mine >"$S/.tmp-protect-1-0/her/data"
"$FORKSAFE" retire --store "$S" >"$T/out" 2>&1
expect_rc "retire over a directory named as protect's copy: reported" 1 $?
verify "  it says it left it alone" grep -q "is a directory, not a copy protect made" "$T/out"
verify "  and never emptied it" test -f "$S/.tmp-protect-1-0/her/data"
rm -rf "${S:?}/.tmp-protect-1-0"
verify "victim files intact at the end" [ "$(cat "$T/victim/secret" "$T/victim/secret2")" = "$(printf 'secret\nsecret2')" ]
finish
