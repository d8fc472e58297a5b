#!/usr/bin/env bash
# test_protect_hold.sh - CLASS: leaks and wedges through protect's copy and
# hold's lock (docs/security.md).  The unprivileged user fs-attacker:
#  - owns a default ACL on a directory holding a root-only (0750) library a
#    process maps: `protect` must never give her a moment in which she can
#    open the copy, and the copy ends with exactly the original's owner, mode,
#    ACL and xattrs (she races reads in a bounded loop meanwhile);
#  - is the user `hold` runs a command as: the command must not see or write
#    the snapshot's lock file;
#  - or the command is hostile and tries to take the lock exclusively (its own
#    descriptors, the parent's through /proc, the path): no later `hold`,
#    `status` or `guard` may hang, and an exclusive holder from outside makes
#    `hold` fail within its bound instead of wedging the store;
#  - swaps a FIFO with the library protect replaces, in her own directory:
#    root's protect must never block opening it, nor rename the wrong file.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/../integration/lib.sh"
need_attacker

F() { "$FORKSAFE" "$@" 2>>"$T/log"; }
# a store on another filesystem than $T (the copy is then made beside the file)
OTHER=$(mktemp -d /dev/shm/forksafe-test.XXXXXX)
CLEANUPS+=("rm -rf '$OTHER'")
[ "$(stat -c %d "$OTHER")" != "$(stat -c %d "$T")" ] || { echo "no second filesystem"; exit 1; }

# ---- protect: the copy never grants what the original did not -------------------
D=$T/acl
mkdir "$D"
chmod 755 "$D"
cp "$TESTLIB" "$D/liba.so"
cp "$TESTLIB" "$D/libb.so"
chmod 0750 "$D/liba.so"   # root-only: no ACL of its own
chmod 02750 "$D/libb.so"  # set-gid, an ACL naming another user, xattrs
setfacl -m u:daemon:r "$D/libb.so"
setfattr -n user.forksafe-test -v kept "$D/liba.so"
setfattr -n user.forksafe-test -v also "$D/libb.so"
python3 - "$D/libb.so" <<'PY'
import os, struct, sys
# security.capability v2: cap_net_bind_service permitted
os.setxattr(sys.argv[1], "security.capability", struct.pack("<IIIII", 0x02000000, 1 << 10, 0, 0, 0))
PY
setfacl -m d:u:"$ATTACKER":rx "$D" # every new file in $D grants her r-x
# meta FILE : everything about FILE that the copy must reproduce
meta() {
	stat -c '%a %u %g %s' "$1"
	getfacl -cpn "$1" 2>&1
	getfattr -d -m - -e hex --absolute-names "$1" 2>&1 | tail -n +2
}
before_a=$(meta "$D/liba.so")
before_b=$(meta "$D/libb.so")
# the control: she can open what she may (else every "cannot" below is vacuous)
cp "$TESTLIB" "$T/open.so" && chmod 644 "$T/open.so"
verify "she can read a world-readable file (the checks below can fail)" \
	as_attacker dd if="$T/open.so" of=/dev/null bs=1 count=1 status=none
rm -f "$T/open.so"
# shellcheck disable=SC2016 # expanded by the inner sh
verify "the attacker cannot read the originals" \
	[ -z "$(as_attacker sh -c 'for f in "$@"; do head -c1 "$f" >/dev/null 2>&1 && echo "$f"; done' sh "$D/liba.so" "$D/libb.so")" ]

# she tries to open every file in $D, as fast as she can, until told to stop
# shellcheck disable=SC2016 # expanded by the inner sh
as_attacker sh -c 'end=$(( $(date +%s) + 20 ))
	while [ ! -e "$2" ] && [ "$(date +%s)" -lt "$end" ]; do
		for f in "$1"/* "$1"/.[!.]*; do
			[ -f "$f" ] && head -c1 "$f" >/dev/null 2>&1 && echo "opened $f"
		done
	done' sh "$D" "$T/stop" >"$T/reads" 2>/dev/null &
RACER=$!
PIDS+=("$RACER")
rounds=0 replaced=0
for i in 1 2 3 4 5 6; do
	# alternately a store on another filesystem (the copy is made in $D) and
	# one on the same filesystem (the copy is made in the store)
	if [ $((i % 2)) = 1 ]; then store=$OTHER/store; else store=$T/store; fi
	rm -f "$T/ready-p"
	"$MAPPER" "$T/ready-p" "$D/liba.so" "$D/libb.so" &
	M=$!
	PIDS+=("$M")
	wait_for "$T/ready-p" "$M"
	out=$(F protect --json --store "$store" "$D/liba.so" "$D/libb.so")
	rc=$?
	kill "$M"
	wait "$M" 2>/dev/null
	rounds=$((rounds + 1))
	[ "$rc" = 0 ] && [ "$(jget "$out" 'd["replaced"]')" = 2 ] && replaced=$((replaced + 1))
done
touch "$T/stop"
wait "$RACER"
expect_rc "protect replaced both files in every round ($replaced of $rounds)" "$rounds" "$replaced"
verify "the attacker never opened a file of $D while protect ran" [ ! -s "$T/reads" ]
head -3 "$T/reads"
# shellcheck disable=SC2016 # expanded by the inner sh
verify "she cannot open the final files" \
	[ -z "$(as_attacker sh -c 'for f in "$@"; do head -c1 "$f" >/dev/null 2>&1 && echo "$f"; done' sh "$D/liba.so" "$D/libb.so")" ]
after_a=$(meta "$D/liba.so")
after_b=$(meta "$D/libb.so")
verify "root-only file: same owner, mode, ACL (none) and xattrs" [ "$after_a" = "$before_a" ]
[ "$after_a" = "$before_a" ] || diff <(echo "$before_a") <(echo "$after_a")
verify "set-gid file: same owner, mode, ACL, capability and xattrs" [ "$after_b" = "$before_b" ]
[ "$after_b" = "$before_b" ] || diff <(echo "$before_b") <(echo "$after_b")
verify "no copy left behind in $D" [ "$(find "$D" -mindepth 1 | wc -l)" = 2 ]
verify "same content" cmp -s "$TESTLIB" "$D/liba.so"

# ---- protect: names swapped under it in her own directory -------------------------
# She keeps the mapped library under a second name and, in a loop, links it
# back to lib.so and exchanges lib.so with a FIFO and back: a protect that
# opened the FIFO would block forever, one that renamed by name would swap
# the wrong file.
U=$T/u
mkdir "$U"
cp "$TESTLIB" "$U/keep.so"
mkfifo "$U/fifo"
chown -R "$ATTACKER_UID:$ATTACKER_GID" "$U"
start_mapper "$T/ready-u" "$U/keep.so"
UM=$MAPPER_PID
cat >"$T/swapper.py" <<'PY'
import ctypes, os, random, sys, time
d, stop = sys.argv[1], sys.argv[2]
libc = ctypes.CDLL(None, use_errno=True)
def xchg(a, b):  # renameat2(RENAME_EXCHANGE)
    libc.renameat2(-100, a.encode(), -100, b.encode(), 2)
lib, fifo = d + "/lib.so", d + "/fifo"
end, swaps = time.time() + 20, 0
while not os.path.exists(stop) and time.time() < end:
    try:  # lib.so is the mapped library again (rename between two links of one file does nothing)
        if os.path.lexists(d + "/tmp"):
            os.unlink(d + "/tmp")
        os.link(d + "/keep.so", d + "/tmp")
        os.rename(d + "/tmp", lib)
    except OSError:
        pass
    # each state lasts up to 20 ms: long enough for guard to keep the
    # library, short enough that protect then often meets the FIFO
    time.sleep(random.uniform(0, 0.02))
    xchg(lib, fifo)
    time.sleep(random.uniform(0, 0.02))
    xchg(lib, fifo)
    swaps += 2
print(swaps)
PY
# her python: one she may run (root's PATH may lead into /root)
as_attacker /usr/bin/python3 "$T/swapper.py" "$U" "$T/stop-u" >"$T/swaps" &
SW=$!
PIDS+=("$SW")
hangs=0 rounds=0 reached=0
end=$((SECONDS + 4))
while [ $SECONDS -lt $end ] && [ "$hangs" = 0 ]; do
	out=$(timeout 2 "$FORKSAFE" protect --json --store "$T/store" "$U/lib.so" 2>>"$T/log")
	[ $? = 124 ] && hangs=$((hangs + 1))
	# kept, then replaced or refused at the replacing step
	grep -qE '"replaced":1|being protected|before it could be protected' <<<"$out" &&
		reached=$((reached + 1))
	rounds=$((rounds + 1))
done
touch "$T/stop-u"
wait "$SW"
verify "she swapped ($(cat "$T/swaps") exchanges)" [ "$(cat "$T/swaps")" -gt 0 ]
verify "protect never hung on a FIFO swapped in ($rounds rounds, $hangs hung)" [ "$hangs" = 0 ]
verify "  $reached of them got as far as replacing" [ "$reached" -gt 0 ]
verify "the mapped file is untouched" cmp -s "$TESTLIB" "$U/keep.so"
verify "  and still the inode the process maps" \
	[ "$(stat -c %i "$U/keep.so")" = "$(ino_in_maps "$UM" "$U/keep.so")" ]
# shellcheck disable=SC2016 # expanded by the inner sh
verify "the FIFO is still a FIFO (under either name)" sh -c '[ -p "$1" ] || [ -p "$2" ]' sh "$U/fifo" "$U/lib.so"
# shellcheck disable=SC2016 # expanded by the inner sh
verify "lib.so is the FIFO or the library" sh -c '[ -p "$1" ] || cmp -s "$1" "$2"' sh "$U/lib.so" "$TESTLIB"
kill "$UM" 2>/dev/null

# ---- hold: the command inherits nothing ------------------------------------------
S=$T/hstore
mkdir "$T/h"
chmod 755 "$T/h"
cp "$TESTLIB" "$T/h/libh.so"
start_mapper "$T/ready-h" "$T/h/libh.so"
HM=$MAPPER_PID
SNAP=$(jget "$(F guard --json --store "$S" "$T/h/libh.so")" 'd["snapshot"]')
# shellcheck disable=SC2317 # called through verify
has_lock() { [ -n "$1" ] && [ -f "$S/$1/lock" ]; }
verify "a snapshot to hold" has_lock "$SNAP"
F status --store "$S" >/dev/null # builds the package cache: later ones are quick

# the command, run as the attacker, lists its descriptors and writes to any
# that names something in the store
# shellcheck disable=SC2016 # expanded by the inner sh
out=$(timeout 10 "$FORKSAFE" hold --store "$S" "$SNAP" -- \
	setpriv --reuid="$ATTACKER_UID" --regid="$ATTACKER_GID" --clear-groups --inh-caps=-all \
	sh -c 'for f in /proc/$$/fd/*; do
		n=${f##*/}; t=$(readlink "$f")
		echo "fd $n -> $t"
		case $t in "$1"/*) eval "echo filled >&$n" 2>/dev/null && echo "WROTE fd $n";; esac
	done' sh "$S" 2>&1)
expect_rc "hold ran the command as the attacker" 0 $?
verify "the command sees no descriptor into the store" \
	[ -z "$(grep -F -- "-> $S/" <<<"$out")" ]
verify "and wrote nothing through one" [ -z "$(grep WROTE <<<"$out")" ]
grep -F -- "-> $S/" <<<"$out"
verify "the lock file is still empty" [ ! -s "$S/$SNAP/lock" ]

# ---- hold: a hostile command cannot wedge the store -------------------------------
cat >"$T/hostile.py" <<'PY'
import fcntl, os, sys, threading, time
store, ready = sys.argv[1], sys.argv[2]
got, keep = [], []
def take(fd, what):
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        got.append(what)
    except OSError:
        pass
def into_store(link):
    try:
        return os.readlink(link).startswith(store + "/")
    except OSError:
        return False
for n in os.listdir("/proc/self/fd"):            # what it inherited
    if into_store("/proc/self/fd/" + n):
        take(int(n), "inherited fd " + n)
ppid = os.getppid()
for n in os.listdir("/proc/%d/fd" % ppid):       # the parent's, reopened
    link = "/proc/%d/fd/%s" % (ppid, n)
    if into_store(link):
        fd = os.open(link, os.O_RDONLY)
        keep.append(fd)
        take(fd, "parent's fd " + n)
for snap in os.listdir(store):                   # the paths themselves
    if snap.startswith("snap-"):
        fd = os.open(os.path.join(store, snap, "lock"), os.O_RDONLY)
        keep.append(fd)
        take(fd, snap + "/lock")
        # and one waiting for it for as long as it takes
        threading.Thread(target=fcntl.flock, args=(os.open(os.path.join(store, snap, "lock"),
                         os.O_RDONLY), fcntl.LOCK_EX), daemon=True).start()
with open(ready + ".tmp", "w") as f:
    f.write("%d\n%s\n" % (os.getpid(), "; ".join(got) or "no exclusive lock"))
os.rename(ready + ".tmp", ready)
time.sleep(30)
PY
"$FORKSAFE" hold --store "$S" "$SNAP" -- python3 "$T/hostile.py" "$S" "$T/ready-x" &
HX=$!
PIDS+=("$HX")
wait_for "$T/ready-x" "$HX"
XPID=$(head -1 "$T/ready-x")
PIDS+=("$XPID")
echo "hostile command: $(tail -1 "$T/ready-x")"
t0=$SECONDS
timeout 12 "$FORKSAFE" hold --store "$S" "$SNAP" -- true 2>>"$T/log" &
H2=$!
sleep 0.5
timeout 4 "$FORKSAFE" status --store "$S" >/dev/null 2>>"$T/log"
expect_rc "status does not hang while a hostile command holds" 0 $?
timeout 4 "$FORKSAFE" guard --store "$S" "$T/h/libh.so" >/dev/null 2>>"$T/log"
expect_rc "guard does not hang either" 0 $?
wait "$H2"
expect_rc "a second hold of the snapshot succeeds" 0 $?
verify "  quickly ($((SECONDS - t0)) s)" [ $((SECONDS - t0)) -lt 5 ]

# a signal to hold goes to its command, and hold waits for it
kill -TERM "$HX"
wait "$HX"
expect_rc "hold killed: exits as its command did" 143 $?
verify "  and its command is gone with it" sh -c "! kill -0 $XPID 2>/dev/null"
kill -9 "$XPID" 2>/dev/null

# an exclusive lock taken from outside: hold gives up within its bound,
# and the store stays usable meanwhile
exec 8<"$S/$SNAP/lock"
flock -x 8
t0=$SECONDS
timeout 15 "$FORKSAFE" hold --store "$S" "$SNAP" -- true 2>"$T/err-x" 8<&- &
H3=$!
sleep 0.5
timeout 4 "$FORKSAFE" status --store "$S" >/dev/null 2>>"$T/log" 8<&-
expect_rc "status does not hang while hold waits for the lock" 0 $?
wait "$H3"
expect_rc "hold of an exclusively locked snapshot fails" 2 $?
verify "  within its bound ($((SECONDS - t0)) s)" [ $((SECONDS - t0)) -lt 10 ]
verify "  and says why" grep -q "locked exclusively" "$T/err-x"
cat "$T/err-x"
exec 8<&-
kill "$HM" 2>/dev/null
finish
