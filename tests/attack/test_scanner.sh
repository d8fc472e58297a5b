#!/usr/bin/env bash
# test_scanner.sh - CLASS: a local user steering root's process scan.
#
# 1. Names read twice: the scan takes a mapping's name from the maps text
#    and, when it holds "\012", again from /proc/PID/map_files; a user who
#    renames her mapped file between the two reads (to a longer name, with
#    a newline) must never make root write past a buffer.  Reached by full
#    scans (ps, ps --json) and by filtered ones (inuse), also through her
#    own user + mount namespace, where she bind-mounts a world-readable file
#    of root's (a transaction's target) under such a name: the filtered
#    scan of that file (inuse, guard) reads her name.  Run under ASan, an
#    overflow fails the run; every run must also exit as usual.
#    Text cut by a read: a maps line longer than the read buffer (her path)
#    must never have its end parsed as a line (a mapping she forges).
#    A mapping replaced under the scan: its identity and its name must
#    come from the same file; one split under it must still be found.
# 2. Hiding by exiting: a process whose main thread has exited
#    (pthread_exit() in main, other threads alive) has an empty
#    /proc/PID/maps; it must still be seen, and what it maps kept.
# Race loops are bounded to a few seconds each.
# shellcheck source-path=SCRIPTDIR/../integration
. "$(dirname "$0")/../integration/lib.sh"

need_attacker
RACE_SECONDS=${RACE_SECONDS:-4}
NL=$'\n'
A=$T/att
mkdir -m 0755 "$A"
chown "$ATTACKER_UID:$ATTACKER_GID" "$A"

HELPER=$BUILD_DIR/tests/scanhelper

# runs_clean LABEL CODES CMD... : every run of CMD for RACE_SECONDS exits
# with one of CODES (a space-separated list) and without a sanitizer
# report; the output of the last run is left in $T/out.
runs_clean() {
	local what=$1 codes=" $2 " rc n=0 bad=0 end=$((SECONDS + RACE_SECONDS))
	shift 2
	while [ "$SECONDS" -lt "$end" ]; do
		"$@" >"$T/out" 2>"$T/err"
		rc=$?
		n=$((n + 1))
		if [ "${codes#* "$rc" }" = "$codes" ] || grep -q 'Sanitizer' "$T/err"; then
			bad=1
			echo "run $n: exit $rc"
			grep -m4 -E 'ERROR|SUMMARY|forksafe:|#[0-9] ' "$T/err"
			break
		fi
	done
	if [ "$bad" = 0 ]; then pass "$what ($n runs)"; else fail "$what"; fi
}

# renamer DIR SHORT LONG : as the attacker, renames DIR/SHORT to DIR/LONG
# and back as fast as she can, for RACE_SECONDS plus a margin.
renamer() {
	as_attacker "$HELPER" rename "$@" "$((RACE_SECONDS + 2))" &
	PIDS+=($!)
	RENAMER=$!
}

# paths_of PID NAME... : PID's images in the ps --json in $T/out whose
# path holds a newline, and whether each is one of the NAMEs
# shellcheck disable=SC2317 # called through verify
paths_of() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
paths = [i["path"] for p in d["processes"] if p["pid"] == int(sys.argv[2])
         for i in p["images"] if "\n" in i["path"]]
print(repr(paths))
sys.exit(0 if paths and all(x in sys.argv[3:] for x in paths) else 1)' "$T/out" "$@"
}

# child_of PID : the process as_attacker CMD & started (the shell of the
# function runs it as its child).
child_of() { pgrep -P "$1" | head -n1; }

# --- 1a. her own file, renamed under the scan --------------------------------------
# The name in the maps text is "a\012b" (escaped, 3 bytes longer than the
# name); the long one is up to 10 bytes longer than that text.
SHORT="a${NL}b"
LONG="a${NL}bXXXXXXXXXXXXX"
cp "$TESTLIB" "$A/$SHORT"
chown "$ATTACKER_UID:$ATTACKER_GID" "$A/$SHORT"
ln "$A/$SHORT" "$A/hardlink"
as_attacker "$MAPPER" "$A/ready" "$A/$SHORT" &
PIDS+=($!)
wait_for "$A/ready" "$!"
M=$(child_of "$!")
renamer "$A" "$SHORT" "$LONG"
runs_clean "ps while she renames her mapped file" 0 "$FORKSAFE" ps
runs_clean "inuse of her file while she renames it" 1 "$FORKSAFE" inuse --json "$A/hardlink"
runs_clean "ps --json while she renames her mapped file" 0 "$FORKSAFE" ps --json
verify "ps names her mapping by one of its real names" paths_of "$M" "$A/$SHORT" "$A/$LONG"
wait "$RENAMER"
kill "$M"

# --- 1b. a world-readable file of root's, under her name in her namespace ---------
mkdir -m 0755 "$T/pkg"
cp "$TESTLIB" "$T/pkg/libtarget.so"
chmod 0644 "$T/pkg/libtarget.so"
if ! as_attacker unshare -Urm true 2>/dev/null; then
	echo "skipped (1b): this kernel gives no unprivileged user namespaces"
else
	mkdir -m 0755 "$A/ns"
	chown "$ATTACKER_UID:$ATTACKER_GID" "$A/ns"
	as_attacker touch "$A/ns/$SHORT"
	# shellcheck disable=SC2016 # expanded by the inner shell
	as_attacker unshare -Urm sh -c 'mount --bind "$1" "$2" && exec "$3" "$4" "$2"' sh \
		"$T/pkg/libtarget.so" "$A/ns/$SHORT" "$MAPPER" "$A/ns-ready" &
	PIDS+=($!)
	wait_for "$A/ns-ready" "$!"
	M=$(child_of "$!")
	# outside her namespace the mount point is a plain file of hers: she can
	# rename it, and the bind mount's name moves along with it
	renamer "$A/ns" "$SHORT" "$LONG"
	runs_clean "inuse of root's file, bind-mounted under her renamed name" 1 \
		"$FORKSAFE" inuse --json "$T/pkg/libtarget.so"
	P=$(jget "$(cat "$T/out")" '[p["pid"] for f in d["files"] for p in f["processes"]]')
	verify "inuse sees her namespace's mapping of root's file" [ "$P" = "[$M]" ]
	runs_clean "guard of root's file, bind-mounted under her renamed name" 0 \
		"$FORKSAFE" guard --store "$T/store" "$T/pkg/libtarget.so"
	wait "$RENAMER"
	kill "$M"
fi

# --- 1c. a maps line longer than the read buffer -----------------------------------
# Her file's path is so long that its maps line goes past 64 KiB, and from
# there on reads as the line of a mapping of root's file: a reader that
# resumed mid-line would say her process maps it (and guard would keep it,
# retire hold it, for as long as she likes).
mkdir -m 0755 "$A/deep"
chown "$ATTACKER_UID:$ATTACKER_GID" "$A/deep"
read -r MAJ MIN INO < <(stat -c '%Hd %Ld %i' "$T/pkg/libtarget.so")
as_attacker "$HELPER" deep "$A/deep" "$A/deep-ready" "$MAJ" "$MIN" "$INO" &
PIDS+=($!)
wait_for "$A/deep-ready" "$!"
D=$(child_of "$!")
verify "her maps line is longer than 64 KiB" \
	[ "$(awk '{ if (length($0) > n) n = length($0) } END { print n }' "/proc/$D/maps")" -gt 65536 ]
out=$("$FORKSAFE" inuse --json "$T/pkg/libtarget.so" 2>/dev/null)
rc=$?
expect_rc "inuse of root's file nobody maps" "$(idle_rc "$out")" "$rc"
check "  her process is not said to map it" "$out" "d['files'][0]['processes'] == []"
out=$("$FORKSAFE" ps --json 2>/dev/null)
check "ps gives her process no image of root's file" "$out" \
	"not any(i['ino'] == $INO for p in d['processes'] if p['pid'] == $D for i in p['images'])"
kill "$D"

# --- 1d. a mapping replaced between the query of its identity and of its name ------
# Where the kernel answers PROCMAP_QUERY, the scan asks a mapping's
# identity, then its name; she maps her two files over the same pages by
# turns meanwhile.  An image must never pair one file's identity with the
# other's name (report would then judge a file she did not map).
cp "$TESTLIB" "$A/flip-a.so"
cp "$TESTLIB2" "$A/flip-b.so"
chown "$ATTACKER_UID:$ATTACKER_GID" "$A/flip-a.so" "$A/flip-b.so"
as_attacker "$HELPER" flip "$A/flip-ready" "$A/flip-a.so" "$A/flip-b.so" "$((RACE_SECONDS + 2))" &
PIDS+=($!)
wait_for "$A/flip-ready" "$!"
FL=$(child_of "$!")
# pairs_right PID : in ps --json ($T/out), each of PID's images of her two
# files has the identity its path has
# shellcheck disable=SC2317 # called through runs_clean
pairs_right() {
	"$FORKSAFE" ps --json >"$T/out" 2>"$T/err"
	case $? in 0 | 3) ;; *) return 1 ;; esac
	python3 -c 'import json, os, sys
d = json.load(open(sys.argv[1]))
want = {}
for f in sys.argv[3:]:
    st = os.stat(f)
    want[(os.major(st.st_dev), os.minor(st.st_dev), st.st_ino)] = f
imgs = [i for p in d["processes"] if p["pid"] == int(sys.argv[2]) for i in p["images"]]
bad = [i for i in imgs if (tuple(map(int, i["dev"].split(":"))) + (i["ino"],)) in want
       and want[tuple(map(int, i["dev"].split(":"))) + (i["ino"],)] != i["path"]]
bad += [i for i in imgs if i["path"] in want.values()
        and want.get(tuple(map(int, i["dev"].split(":"))) + (i["ino"],)) != i["path"]]
sys.exit(1 if bad or not any(i["path"] == sys.argv[3] for i in imgs) else 0)' "$T/out" "$1" "$A/flip-a.so" "$A/flip-b.so"
}
runs_clean "ps pairs each of her flipped mappings with its own name" "0" pairs_right "$FL"
kill "$FL" 2>/dev/null

# --- 1e. a mapping split under the scan ------------------------------------------------
# She maps root's file over two pages and covers the first with her own
# file and uncovers it by turns: the second page maps root's file all the
# time, so every scan must find her process using it (a scan that asked
# the name at the region's start, found her file and skipped the region's
# rest, missed it one run in six).
[ -d "$T/pkg" ] || mkdir -m 0755 "$T/pkg"
cp "$TESTLIB" "$T/pkg/libsplit.so"
chmod 0644 "$T/pkg/libsplit.so"
cp "$TESTLIB2" "$A/split-mine.so"
chown "$ATTACKER_UID:$ATTACKER_GID" "$A/split-mine.so"
verify "root's file spans two pages" [ "$(stat -c %s "$T/pkg/libsplit.so")" -gt 8192 ]
as_attacker "$HELPER" split "$A/split-ready" "$T/pkg/libsplit.so" "$A/split-mine.so" "$((RACE_SECONDS + 2))" &
PIDS+=($!)
wait_for "$A/split-ready" "$!"
SP=$(child_of "$!")
# found_user PID : inuse --json of root's file lists PID
# shellcheck disable=SC2317 # called through runs_clean
found_user() {
	"$FORKSAFE" inuse --json "$T/pkg/libsplit.so" >"$T/out" 2>"$T/err"
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if int(sys.argv[2]) in [p["pid"] for p in d["files"][0]["processes"]] else 1)' "$T/out" "$1"
}
runs_clean "inuse finds her process through the split, every run" "0" found_user "$SP"
kill "$SP" 2>/dev/null

# --- 2. a process whose main thread has exited -------------------------------------
R=$T/root
mkdir -p "$R/usr/lib"
cp "$TESTLIB" "$R/usr/lib/liblonely.so"
"$HELPER" lonely "$T/lonely-ready" "$R/usr/lib/liblonely.so" &
PIDS+=($!)
L=$!
wait_for "$T/lonely-ready" "$L"
for _ in $(seq 100); do # until the main thread is gone
	[ -s "/proc/$L/maps" ] || break
	sleep 0.05
done
verify "its /proc/PID/maps is empty (main thread exited)" [ ! -s "/proc/$L/maps" ]
out=$("$FORKSAFE" inuse --json "$R/usr/lib/liblonely.so" 2>/dev/null)
expect_rc "inuse finds the library it maps" 1 $?
check "  through its live thread" "$out" "[p['pid'] for p in d['files'][0]['processes']] == [$L]" \
	"d['files'][0]['processes'][0]['exe'] == '$HELPER'"
out=$("$FORKSAFE" ps --json 2>/dev/null)
check "ps lists it with its images" "$out" \
	"any(p['pid'] == $L and any(i['path'] == '$R/usr/lib/liblonely.so' for i in p['images']) for p in d['processes'])"
out=$("$FORKSAFE" guard --json --root "$R" usr/lib/liblonely.so 2>"$T/err")
expect_rc "guard keeps it" 0 $?
check "  in a snapshot" "$out" 'len(d["kept"]) == 1'
SNAP=$(jget "$out" 'd["snapshot"]')
OLD=$(stat -c %i "$R/usr/lib/liblonely.so")
replace_like_pm "$R/usr/lib/liblonely.so" "$TESTLIB2"
out=$("$FORKSAFE" retire --json --root "$R" --post-transaction 2>"$T/err")
check "post-transaction retire keeps the entry the process still maps" "$out" \
	"d['snapshots'][0]['kept'] == 1 and not d['snapshots'][0]['removed']"
verify "  the inode the process maps" \
	[ "$(stat -c %i "$R/var/lib/forksafe/$SNAP/files/usr/lib/liblonely.so" 2>&1)" = "$OLD" ]
kill "$L"
wait "$L" 2>/dev/null
out=$("$FORKSAFE" retire --json --root "$R" 2>"$T/err")
check "once it exited, retire removes the snapshot" "$out" "d['snapshots'][0]['removed']"

finish
