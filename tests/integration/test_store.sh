#!/usr/bin/env bash
# test_store.sh - the snapshot store's lifecycle with real processes and a
# file replaced as a package manager replaces it: guard, retire, hold,
# status, redundant entries dropped only after the transaction ends.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

R=$T/root
S=$R/var/lib/forksafe
mkdir -p "$R/usr/lib"
cp "$TESTLIB" "$R/usr/lib/libdemo.so"
cp "$TESTLIB" "$R/usr/lib/libidle.so"
F() { "$FORKSAFE" "$@" 2>>"$T/stderr"; }

start_mapper "$T/ready1" "$R/usr/lib/libdemo.so"
M=$MAPPER_PID

# --- nothing in use: no snapshot ---------------------------------------------
out=$(F guard --root "$R" usr/lib/libidle.so usr/lib/missing.so)
expect_rc "guard with nothing in use" 0 $?
verify "says so in one line" has "$out" "forksafe: nothing in use, nothing to keep"
verify "no snapshot made" test ! -e "$S"

# --- guard, then retires before and after the transaction ends -----------------
out=$(F guard --json --root "$R" usr/lib/libdemo.so usr/lib/libidle.so)
expect_rc "guard" 0 $?
check "guard keeps the in-use file by hardlink" "$out" \
	'd["snapshot"].startswith("snap-")' 'len(d["kept"]) == 1' \
	"d['kept'][0]['path'] == '/usr/lib/libdemo.so' and d['kept'][0]['method'] == 'link'" \
	"[p['pid'] for p in d['kept'][0]['processes']] == [$M]"
SNAP=$(jget "$out" 'd["snapshot"]')
verify "the kept file is the mapped inode" \
	[ "$(stat -c %i "$S/$SNAP/files/usr/lib/libdemo.so")" = "$(ino_in_maps "$M" "$R/usr/lib/libdemo.so")" ]
out=$(F guard --json --root "$R" usr/lib/libdemo.so)
check "an identity an open snapshot keeps is not kept twice" "$out" \
	'd["snapshot"] is None' 'd["already_kept"] == 1'
out=$(F retire --json --root "$R")
check "a retire during the transaction keeps the entry" "$out" \
	"d['snapshots'][0]['kept'] == 1 and d['snapshots'][0]['dropped'] == 0"
out=$(F retire --json --root "$R" --post-transaction)
check "after the transaction, an entry never replaced is redundant" "$out" \
	"d['snapshots'][0]['redundant'] == 1 and d['snapshots'][0]['removed']"
verify "its snapshot is gone" test ! -e "$S/$SNAP"
verify "the original is untouched" cmp -s "$TESTLIB" "$R/usr/lib/libdemo.so"

# --- the full lifecycle: replaced by a package manager ---------------------------
out=$(F guard --json --root "$R" --stdin <<<"usr/lib/libdemo.so")
SNAP=$(jget "$out" 'd["snapshot"]')
OLD=$(stat -c %i "$R/usr/lib/libdemo.so")
replace_like_pm "$R/usr/lib/libdemo.so" "$TESTLIB2"
verify "the path now names a new file" [ "$(stat -c %i "$R/usr/lib/libdemo.so")" != "$OLD" ]
out=$(F retire --json --root "$R" --post-transaction)
check "post-transaction retire keeps the replaced, mapped file" "$out" \
	"d['snapshots'][0]['kept'] == 1 and d['snapshots'][0]['closed'] and not d['snapshots'][0]['removed']"
verify "snapshot keeps the old inode, the one the process maps" \
	[ "$(stat -c %i "$S/$SNAP/files/usr/lib/libdemo.so")" = "$OLD" ] &&
	verify "  (same as /proc/PID/maps)" [ "$(ino_in_maps "$M" "$R/usr/lib/libdemo.so")" = "$OLD" ]
out=$(F status --json --root "$R")
check "status: held by the process, costs its size" "$out" \
	"d['snapshots'][0]['name'] == '$SNAP' and not d['snapshots'][0]['open']" \
	"[h['pid'] for h in d['snapshots'][0]['entries'][0]['held_by']] == [$M]" \
	"d['snapshots'][0]['cost_bytes'] > 0"
kill "$M"; wait "$M" 2>/dev/null
out=$(F retire --json --root "$R")
check "the process exited: retire removes the snapshot" "$out" "d['snapshots'][0]['removed']"
verify "nothing left in the store" [ -z "$(find "$S" -mindepth 1 -not -name lock -not -name pkgdb.solv)" ]

# --- hold keeps a snapshot after its processes are gone -------------------------
start_mapper "$T/ready2" "$R/usr/lib/libdemo.so"
M=$MAPPER_PID
SNAP=$(jget "$(F guard --json --root "$R" usr/lib/libdemo.so)" 'd["snapshot"]')
replace_like_pm "$R/usr/lib/libdemo.so" "$TESTLIB"
kill "$M"; wait "$M" 2>/dev/null
"$FORKSAFE" hold --root "$R" "$SNAP" -- sleep 60 &
H=$!
PIDS+=("$H")
sleep 0.5
out=$(F retire --json --root "$R" --post-transaction)
check "a held snapshot is kept" "$out" \
	"d['snapshots'][0]['lock_held'] and d['snapshots'][0]['kept'] == 1"
out=$(F status --json --root "$R")
check "status says the lock is held" "$out" "d['snapshots'][0]['lock_held']"
pkill -P "$H" sleep 2>/dev/null # the held command ends: hold returns
wait "$H" 2>/dev/null
out=$(F retire --json --root "$R")
check "released: retire removes it" "$out" "d['snapshots'][0]['removed']"
"$FORKSAFE" hold --root "$R" "$SNAP" -- true 2>"$T/err"
expect_rc "hold of a snapshot that is gone" 2 $?
"$FORKSAFE" hold --root "$R" "../etc" -- true 2>"$T/err"
expect_rc "hold of a name that is not a snapshot" 2 $?
verify "says why" grep -q "not a snapshot name" "$T/err"
out=$("$FORKSAFE" hold --root "$R" 2>&1)
expect_rc "hold without a command" 2 $?

# --- --all-in-use and leftovers -------------------------------------------------
start_mapper "$T/ready3" "$R/usr/lib/libdemo.so"
M=$MAPPER_PID
out=$(F guard --json --root "$R" --all-in-use)
check "--all-in-use keeps every in-use image under the root, only those" "$out" \
	"[k['path'] for k in d['kept']] == ['/usr/lib/libdemo.so']"
mkdir "$S/.tmp-snap-1-2-3" "$S/.dead-snap-4-5-6"
touch "$S/.tmp-snap-1-2-3/x"
out=$(F retire --json --root "$R" --dry-run)
check "dry run changes nothing" "$out" 'd["dry_run"] and d["leftovers_removed"] == 2'
verify "  leftovers still there" test -d "$S/.tmp-snap-1-2-3"
out=$(F retire --json --root "$R")
check "leftovers of interrupted runs are removed" "$out" 'd["leftovers_removed"] == 2'
verify "  gone" test ! -e "$S/.tmp-snap-1-2-3" -a ! -e "$S/.dead-snap-4-5-6"
out=$(F status --root "$R")
verify "status text" has "$out" "snap-[0-9-]+ \\(open, [0-9]+ min old\\): 1 file, 0 bytes of its own" \
	"    /usr/lib/libdemo.so \\(link\\): mapped by $M mapper"

# --- a store on another filesystem: a copy, and the output says so --------------
if unshare -m true 2>/dev/null; then
	mkdir "$T/other"
	# shellcheck disable=SC2016 # expanded by the inner sh
	out=$(unshare -m sh -c 'mount -t tmpfs -o mode=0700 none "$1" &&
		"$2" guard --json --root "$3" --store "$1/store" usr/lib/libdemo.so 2>/dev/null &&
		"$2" guard --root "$3" --store "$1/store2" usr/lib/libdemo.so 2>/dev/null &&
		cmp "$1"/store/snap-*/files/usr/lib/libdemo.so "$3/usr/lib/libdemo.so" >&2' \
		sh "$T/other" "$FORKSAFE" "$R")
	expect_rc "guard into a store on another filesystem" 0 $?
	check "the file is copied, the method says so" "$(head -1 <<<"$out")" \
		"d['kept'][0]['method'] in ('copy', 'reflink')"
	verify "the text says so" has "$(tail -n +2 <<<"$out")" \
		"forksafe: 1 of them copied \\(reflinked where possible\\): .*"
else
	echo "skipped: store on another filesystem (no unshare -m)"
fi
kill "$M"; wait "$M" 2>/dev/null
out=$(F retire --root "$R" --post-transaction)
verify "retire text" has "$out" "forksafe: 0 snapshots, 0 files still held"
finish
