#!/usr/bin/env bash
# test_store_limits.sh - CLASS: wedging the store through a tree or a name
# the user controls (issue 11, item 4).  An unprivileged user owns a
# directory under the root and maps a library at the bottom of a tree deeper
# than the store keeps; root's guard must refuse that one file before it
# creates anything (and keep the others), guard and retire must agree on the
# limit (a file exactly at it is kept and removed again), a damaged snapshot
# or leftover is reported and never stops retire, status or the
# post-transaction hook from handling the others, and the store does not
# grow with every guard.
# Mounts are made in a mount namespace of the test's own.
if [ "$(id -u)" = 0 ] && [ -z "${FS_TEST_MOUNT_NS:-}" ]; then
	FS_TEST_MOUNT_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/../integration/lib.sh"

need_attacker
LIMIT=256 # FS_KEEP_DEPTH: directories in a kept file's path under the root
R=$T/r
S=$T/store
mkdir -p "$R/usr/lib" "$R/home/eve"
chown "$ATTACKER_UID:$ATTACKER_GID" "$R/home/eve"
cp "$TESTLIB" "$R/usr/lib/liba.so"
cp "$TESTLIB" "$R/usr/lib/libb.so"
cp "$TESTLIB" "$T/eve.so"
chmod 644 "$T/eve.so"

# deep N : the path (under the root) of a library N directories deep,
# made by the attacker in her own directory: home/eve/d/d/.../lib.so
deep() {
	local rel=home/eve
	for _ in $(seq $(($1 - 2))); do rel=$rel/d; done
	as_attacker mkdir -p "$R/$rel" && as_attacker cp "$T/eve.so" "$R/$rel/lib.so" &&
		echo "$rel/lib.so"
}
# as_attacker_mapper READY LIB... : the attacker's process mapping LIB
# (MAPPERS: its pid, a child of the shell that runs as_attacker in $!)
MAPPERS=()
as_attacker_mapper() {
	as_attacker "$MAPPER" "$@" &
	PIDS+=($!)
	wait_for "$1" $!
	MAPPERS+=("$(pgrep -P $! | head -n1)")
}
# stop_all : every process the test started, gone
stop_all() {
	local m
	for m in "${MAPPERS[@]}"; do [ -n "$m" ] && kill "$m" 2>/dev/null; done
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
	# her mapper is not this shell's child: wait does not wait for it
	for m in "${MAPPERS[@]}"; do
		for _ in $(seq 200); do
			if [ -z "$m" ] || ! kill -0 "$m" 2>/dev/null; then break; fi
			sleep 0.05
		done
	done
}
entries() { find "$S" -mindepth 1 -maxdepth 1 ! -name lock ! -name pkgdb.solv | sort; }

TOO_DEEP=$(deep $((LIMIT + 44)))
AT_LIMIT=$(deep "$LIMIT")
# and a path of names as long as they come: 14 of 250 bytes (3.5 KB in all)
LONG=home/eve
for i in $(seq 14); do LONG=$LONG/$(printf "$i%.0s" $(seq 250) | head -c 250); done
as_attacker mkdir -p "$R/$LONG" && as_attacker cp "$T/eve.so" "$R/$LONG/lib.so"
LONG=$LONG/lib.so
as_attacker_mapper "$R/home/eve/ready" "$R/$TOO_DEEP" "$R/$AT_LIMIT" "$R/$LONG"
start_mapper "$T/ready-a" "$R/usr/lib/liba.so" "$R/usr/lib/libb.so"
ROOT_MAPPER=$MAPPER_PID

# --- an open snapshot of root's own library: the one retire must go on handling ----
A=$(jget "$("$FORKSAFE" guard --json --root "$R" --store "$S" usr/lib/liba.so)" 'd["snapshot"]')
verify "guard keeps root's library in snapshot A" [ -n "$A" ]

# --- guard: the file beyond the limit is refused by itself, the others kept ---------
"$FORKSAFE" guard --json --root "$R" --store "$S" usr/lib/libb.so "$TOO_DEEP" "$AT_LIMIT" \
	"$LONG" >"$T/g.json" 2>"$T/g.err"
expect_rc "guard with a target deeper than the store keeps" 1 $?
check "  it keeps the others (at the limit, with long names too) and refuses that one, saying why" \
	"$(cat "$T/g.json")" \
	'sorted(k["path"] for k in d["kept"]) == sorted(["/'"$AT_LIMIT"'", "/'"$LONG"'", "/usr/lib/libb.so"])' \
	'len(d["failed"]) == 1 and "more than '"$LIMIT"' directories" in d["failed"][0]'
B=$(jget "$(cat "$T/g.json")" 'd["snapshot"]')
verify "  no unfinished snapshot is left in the store" [ -z "$(entries | grep -F /.tmp-)" ]
verify "  and none of the refused tree was created" \
	[ -z "$(find "$S" -mindepth $((LIMIT + 4)) -print -quit)" ]

# --- the store does not grow with every pre-transaction hook ------------------------
BEFORE=$(entries | wc -l)
for _ in 1 2 3 4 5; do
	"$FORKSAFE" hook pre-transaction --all-in-use --config "$T/none.conf" --root "$R" \
		--store "$S" </dev/null >/dev/null 2>&1
done
AFTER=$(entries | wc -l)
verify "five --all-in-use hooks do not grow the store ($BEFORE entries, then $AFTER)" \
	[ "$AFTER" = "$BEFORE" ]

# --- remains of an older forksafe: trees deeper than the limit in the store ----------
# (what guard made before it refused such targets: an unfinished snapshot, and
# a published one whose files/ holds a tree its manifest does not name)
plant() {
	local dir=$1 rel=files
	for _ in $(seq $((LIMIT + 44))); do rel=$rel/d; done
	mkdir -p "$dir/$rel" && ln "$R/$TOO_DEEP" "$dir/$rel/lib.so"
}
plant "$S/.tmp-snap-1-000000001-1"
OLD=snap-2-000000002-2
mkdir "$S/$OLD"
printf 'forksafe-snapshot 1\nroot %s\ncreated 2\nentry 1 1 1 0 link gone.so\n' "$R" >"$S/$OLD/manifest"
touch "$S/$OLD/lock"
plant "$S/$OLD"

"$FORKSAFE" status --json --root "$R" --store "$S" >"$T/st.json" 2>"$T/st.err"
expect_rc "status over a store with trees deeper than the limit" 0 $?
check "  it shows every snapshot, and the file with long names as present" "$(cat "$T/st.json")" \
	'sorted(s["name"] for s in d["snapshots"]) == sorted(["'"$A"'", "'"$B"'", "'"$OLD"'"])' \
	'[e["present"] for s in d["snapshots"] for e in s["entries"] if e["path"] == "/'"$LONG"'"] == [True]'

kill "$ROOT_MAPPER"
wait "$ROOT_MAPPER" 2>/dev/null
# the transaction replaced her library at the limit: snapshot B keeps the old one
as_attacker cp "$T/eve.so" "$R/$AT_LIMIT.new" && as_attacker mv -f "$R/$AT_LIMIT.new" "$R/$AT_LIMIT"
"$FORKSAFE" hook post-transaction --config "$T/none.conf" --root "$R" --store "$S" \
	>"$T/h.out" 2>"$T/h.err"
expect_rc "post-transaction hook" 0 $?
verify "  without a warning: $(cat "$T/h.err")" [ ! -s "$T/h.err" ]
verify "  snapshot A, which nothing maps any more, is removed" [ ! -e "$S/$A" ]
verify "  the old deep snapshot, which nothing maps, is removed" [ ! -e "$S/$OLD" ]
verify "  the unfinished snapshot of an older run is removed" [ -z "$(entries | grep -F /.tmp-)" ]
verify "  no removal is left half done" [ -z "$(entries | grep -F /.dead-)" ]
verify "  snapshot B, whose library at the limit is still mapped, stays" [ -d "$S/$B" ]

# --- a leftover that cannot be removed is reported, the others handled ---------------
mkdir -p "$S/.dead-snap-3-000000003-3/files" "$T/elsewhere"
if ! { mount -t tmpfs -o size=1M fs-test "$T/elsewhere" &&
	mkdir "$S/.dead-snap-3-000000003-3/files/mnt" &&
	mount --bind "$T/elsewhere" "$S/.dead-snap-3-000000003-3/files/mnt"; }; then
	echo "cannot mount a tmpfs"
	exit 1
fi
CLEANUPS+=("umount '$S/.dead-snap-3-000000003-3/files/mnt' '$T/elsewhere'")
# (her mapper outlived its shell's wait once, and retire still saw it)
stop_all
"$FORKSAFE" retire --json --root "$R" --store "$S" >"$T/r.json" 2>"$T/r.err"
expect_rc "retire with a leftover it must leave alone (a mount inside it)" 1 $?
check "  it reports that leftover and removes snapshot B (a tree at the limit)" "$(cat "$T/r.json")" \
	'any(".dead-snap-3-000000003-3" in p and "another filesystem" in p for p in d["leftovers_failed"])' \
	'[s["removed"] for s in d["snapshots"] if s["name"] == "'"$B"'"] == [True]'
verify "  the mounted file system is untouched" mountpoint -q "$S/.dead-snap-3-000000003-3/files/mnt"
finish
