#!/usr/bin/env bash
# test_report.sh - CLASS: report answers "replaced" by identity in each
# process's own view (its root, its mount namespace), never by a path's
# text; and agrees with needrestart -b on a real replacement.
#   real      a library renamed over while mapped: replaced (control)
#   suffix    a live file named 'fake.so (deleted)': not replaced
#   pivot     a container (own mount namespace, pivot_root) with its own
#             copy of libc at the usual path: not replaced, not libc6
#   bind      a file bind-mounted over a path in a private namespace: the
#             process there maps it, the host's maps the original: neither
#             replaced; covered after being mapped: replaced in its view
#   attacker  a user's own user+mount namespace with her file bind-mounted
#             over libc's path: not "libc replaced, must restart"; covered
#             after mapping: hers, listed apart, never the root's libc6
#   unknown   a process whose view cannot name its file: unknown, never replaced
#   oracle    needrestart -b lists the pid of a process mapping a replaced
#             file; so does report
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/../integration/lib.sh"

if ! unshare -m true 2>/dev/null; then
	echo "skipped: unshare -m is not available here"
	exit 77
fi
need_attacker
S=$T/store
LIBC=$(ldd "$MAPPER" | awk '$1 ~ /^libc\.so/ { print $3 }')
[ -e "$LIBC" ] || { echo "cannot find the mapper's libc"; exit 1; }

report() { "$FORKSAFE" report --json --store "$S" 2>/dev/null; }
# states PID JSON : "path<TAB>state" of each image listed for PID.
states() {
	printf '%s' "$2" | python3 -c '
import json, sys
pid = int(sys.argv[1])
def walk(o):
    if isinstance(o, dict):
        if o.get("pid") == pid and "images" in o:
            for i in o["images"]:
                st = i.get("state") or ("removed" if i["deleted"] else "replaced")
                print(i["path"] + "\t" + st)
        for v in o.values():
            walk(v)
    elif isinstance(o, list):
        for v in o:
            walk(v)
walk(json.load(sys.stdin))' "$1" | sort -u
}
# child_of PID : the one child of PID (unshare --fork, sh).
child_of() {
	local c
	for _ in $(seq 100); do
		c=$(pgrep -P "$1" | head -1)
		[ -n "$c" ] && { echo "$c"; return; }
		sleep 0.05
	done
}

# --- real: rename a new file over a mapped library ----------------------------
mkdir "$T/real"
cp "$TESTLIB" "$T/real/lib.so"
start_mapper "$T/ready-real" "$T/real/lib.so"
REAL=$MAPPER_PID
replace_like_pm "$T/real/lib.so" "$TESTLIB2"

# --- suffix: a live file whose name ends in " (deleted)" -------------------------
mkdir "$T/odd"
cp "$TESTLIB" "$T/odd/fake.so (deleted)"
start_mapper "$T/ready-odd" "$T/odd/fake.so (deleted)"
ODD=$MAPPER_PID

# --- pivot: a container with its own copy of libc at the usual path -------------
C=$T/ctr
mkdir -p "$C/old"
# the mapper and every library it needs (libc, the loader; libasan under ASan)
for f in "$MAPPER" $(ldd "$MAPPER" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }'); do
	case $f in "$MAPPER") dst=$C/mapper ;; *) dst=$C$f ;; esac
	mkdir -p "$(dirname "$dst")"
	cp "$f" "$dst"
done
cp "$TESTLIB" "$C/lib.so"
# shellcheck disable=SC2016 # expanded by the inner sh
unshare -m --fork --propagation private sh -c \
	'mount --bind "$1" "$1" && cd "$1" && pivot_root . old && exec /mapper /ready /lib.so' sh "$C" &
PIDS+=($!)
PIVOT=$(child_of $!)
wait_for "$C/ready" "$PIVOT"
PIDS+=("$PIVOT")

# --- bind: another file over a path, in a private namespace only ----------------
mkdir "$T/b"
cp "$TESTLIB" "$T/b/lib.so"
cp "$TESTLIB2" "$T/b/other.so"
# shellcheck disable=SC2016 # expanded by the inner sh
unshare -m --propagation private sh -c \
	'mount --bind "$1/other.so" "$1/lib.so" && exec "$2" "$1/ready-in" "$1/lib.so"' \
	sh "$T/b" "$MAPPER" &
BIND_IN=$!
PIDS+=("$BIND_IN")
wait_for "$T/b/ready-in" "$BIND_IN"
start_mapper "$T/b/ready-host" "$T/b/lib.so"
BIND_HOST=$MAPPER_PID
# covered after it was mapped: its own view now has another file there
cp "$TESTLIB" "$T/b/lib2.so"
# shellcheck disable=SC2016 # expanded by the inner sh
unshare -m --propagation private sh -c \
	'"$2" "$1/ready-cov" "$1/lib2.so" & m=$!
	 while [ ! -e "$1/ready-cov" ]; do sleep 0.05; done
	 mount --bind "$1/other.so" "$1/lib2.so" && touch "$1/covered"; wait $m' \
	sh "$T/b" "$MAPPER" &
PIDS+=($!)
COV_SH=$!
wait_for "$T/b/covered" "$COV_SH"
COVERED=$(child_of "$COV_SH")
PIDS+=("$COVERED")

# --- attacker: her own namespace, her file over libc's path ----------------------
mkdir "$T/a"
cp "$TESTLIB" "$T/a/evil.so"
cp "$LIBC" "$T/a/libc.so.6" # her process runs on a copy, maps evil.so as libc
chmod -R a+rX "$T/a"
chmod a+rwx "$T/a"
# shellcheck disable=SC2016 # expanded by the inner sh
as_attacker unshare -Urm sh -c \
	'mount --bind "$1/evil.so" "$3" && LD_LIBRARY_PATH="$1" ASAN_OPTIONS=verify_asan_link_order=0 exec "$2" "$1/ready" "$3"' \
	sh "$T/a" "$MAPPER" "$LIBC" &
PIDS+=($!)
wait_for "$T/a/ready" $!
EVIL=$(pgrep -f "^$MAPPER $T/a/ready")
[ -n "$EVIL" ] || { echo "her mapper not found"; exit 1; }

# her file over libc's path after her process mapped the real one: true in her
# view, but her file is not the root's: never under the root's package libc6
# (after the mount only shell builtins run there: every program would load it)
mkdir "$T/a2"
chmod 777 "$T/a2"
# shellcheck disable=SC2016 # expanded by the inner sh
as_attacker unshare -Urm sh -c \
	'"$2" "$1/ready" & m=$!
	 while [ ! -e "$1/ready" ]; do sleep 0.05; done
	 mount --bind "$4" "$3" && : >"$1/covered"; wait $m' \
	sh "$T/a2" "$MAPPER" "$LIBC" "$T/a/evil.so" &
PIDS+=($!)
wait_for "$T/a2/covered" $!
EVIL2=$(pgrep -f "^$MAPPER $T/a2/ready")
[ -n "$EVIL2" ] || { echo "her second mapper not found"; exit 1; }
PIDS+=("$EVIL2")

# --- unknown: mapped, then chrooted elsewhere in its own namespace ----------------
mkdir -p "$T/u/jail"
cp "$TESTLIB" "$T/u/lib.so"
# shellcheck disable=SC2016 # expanded by python
unshare -m --propagation private python3 -c '
import mmap, os, sys, time
with open(sys.argv[1], "rb") as f:
    m = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)
os.chroot(sys.argv[2])
open("/ready", "w").close()
time.sleep(600)' "$T/u/lib.so" "$T/u/jail" &
UNK=$!
PIDS+=("$UNK")
wait_for "$T/u/jail/ready" "$UNK"
replace_like_pm "$T/u/lib.so" "$TESTLIB2"

out=$(report)
verify "real: the replaced library is listed" has "$(states "$REAL" "$out")" \
	"$T/real/lib.so	(replaced|removed)"
verify "suffix: a live 'fake.so (deleted)' is not replaced" \
	test -z "$(states "$ODD" "$out")"
verify "pivot: a container's own libc copy is not replaced" \
	test -z "$(states "$PIVOT" "$out")"
verify "bind: the process in the namespace maps what its view has: not replaced" \
	test -z "$(states "$BIND_IN" "$out")"
verify "bind: the host's process maps the original: not replaced" \
	test -z "$(states "$BIND_HOST" "$out")"
verify "bind: covered after it was mapped: replaced in its own view" \
	has "$(states "$COVERED" "$out")" "$T/b/lib2.so	replaced"
verify "attacker: her bind mount over libc is not 'libc replaced'" \
	test -z "$(states "$EVIL" "$out")"
verify "unknown: a view that cannot name its file says unknown" \
	has "$(states "$UNK" "$out")" "$T/u/lib.so	unknown"
check "her covered libc is hers, not the root's libc6" "$out" \
	"not [g for g in d['packages'] for p in g['processes'] if p['pid'] == $EVIL2]" \
	"[c for c in d['containers'] for p in c['processes'] if p['pid'] == $EVIL2]"
check "nobody's libc must restart, the container is listed apart" "$out" \
	"not [p for p in d['must_restart'] if p['pid'] in ($PIVOT, $EVIL)]" \
	"[c for c in d['containers'] for p in c['processes'] if p['pid'] == $UNK]" \
	"not [g for g in d['packages'] for p in g['processes'] if p['pid'] == $UNK]" \
	"[c for c in d['containers'] for p in c['processes'] if p['pid'] == $COVERED]" \
	"[p for g in d['packages'] for p in g['processes'] if p['pid'] == $REAL and not p['mount_namespace']]"
text=$("$FORKSAFE" report --store "$S" 2>/dev/null)
verify "text: the unknown image says so" has "$text" \
	"        $T/u/lib\.so \(unknown: the process's own view of it cannot be read\)"
verify "text: the container is listed by its mount namespace" has "$text" \
	"  container mnt:\[[0-9]+\] \(its own files, no package of this root\):"

# --- oracle: needrestart -b on the same state (lists only, restarts nothing) -----
if ! command -v needrestart >/dev/null; then
	echo "skipped: needrestart is not installed (./dev installs it)"
	exit 77
fi
# needrestart lists processes by pid (NEEDRESTART-PID) only in its user mode,
# run as their owner: a process of the unprivileged user maps a file that root
# then replaces in the scratch area.
mkdir "$T/o"
chmod 777 "$T/o"
cp "$TESTLIB" "$T/o/lib.so"
as_attacker "$MAPPER" "$T/o/ready" "$T/o/lib.so" &
PIDS+=($!)
wait_for "$T/o/ready" $!
OWN=$(pgrep -f "^$MAPPER $T/o/ready")
[ -n "$OWN" ] || { echo "her mapper not found"; exit 1; }
replace_like_pm "$T/o/lib.so" "$TESTLIB2"
# needrestart ignores mappings under /tmp (its blacklist_mappings): its own
# configuration, minus that one rule, so it looks at the scratch area too.
cp /etc/needrestart/needrestart.conf "$T/nr.conf"
# shellcheck disable=SC2016 # perl
echo '@{$nrconf{blacklist_mappings}} = grep { "$_" !~ m{tmp} } @{$nrconf{blacklist_mappings}};' >>"$T/nr.conf"
chmod 644 "$T/nr.conf"
# -b: batch output, -r l: list only (restarts nothing), -l: libraries only
nr=$(cd / && as_attacker needrestart -c "$T/nr.conf" -b -r l -l 2>"$T/nr.err")
echo "needrestart: $(grep '^NEEDRESTART-PID' <<<"$nr")"
verify "needrestart lists the process mapping the replaced file" \
	grep -qE "^NEEDRESTART-PID: [^=]*=([0-9]+,)*$OWN(,|\$)" <<<"$nr"
out=$(report)
verify "report lists it too, replaced" has "$(states "$OWN" "$out")" "$T/o/lib.so	replaced"
# where needrestart reads the path in our view, forksafe in the process's own:
# say so when they differ (not a failure of forksafe)
if grep -qE "^NEEDRESTART-PID: [^=]*=([0-9]+,)*$EVIL(,|\$)" <<<"$nr"; then
	echo "note: needrestart lists $EVIL (her own file over libc's path); forksafe does not"
fi
finish
