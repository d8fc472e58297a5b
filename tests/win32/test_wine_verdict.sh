#!/usr/bin/env bash
# The fork verdict of each process of an MSYS2-like installation (ps and
# report, text and JSON) and the retiring of the runtime's own cygfork
# directories, under Wine.  The processes are rtholder.exe: they load the
# installation's "runtime" (a test DLL named msys-2.0.dll) and DLLs, and one
# holds a cygfork mutex in the installation's object directory as the
# runtime's own CreateMutexW makes it.  DLLs are replaced as MSYS2 pacman
# does it: renamed into a recycle-bin directory of the volume, new file at
# the path.
#
# Wine keeps a renamed module's old name (docs/windows.md): the verdict then
# knows the loaded file from guard's manifest, which the pre-transaction
# hook writes.  Rows marked "Wine only" build a state NTFS never allows (the
# last name of a loaded DLL removed from the host).
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/../integration/lib.sh"
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/wine.sh"

root=$T/msys64
bin=$root/usr/bin
mkdir -p "$bin" "$T/\$Recycle.Bin/S-1-5-21-0-0-0-1000"
cp "$TESTDLL" "$bin/msys-2.0.dll"
cp "$TESTDLL" "$bin/msys-foo.dll"
cp "$TESTDLL" "$bin/msys-bar.dll"
cp "$FORKSAFE_EXE" "$bin/forksafe.exe"
rroot=$(winp "$root")
fsi() { "$WINE" "$bin/forksafe.exe" "$@"; } # from inside the installation: root "/"

# start_rt DIR [--mutex NAME] DLL... : an rtholder of the installation
start_rt() {
	local dir=$1 args=()
	shift
	mkdir -p "$dir"
	for d in "$@"; do
		case $d in /*) args+=("$(winp "$d")") ;; *) args+=("$d") ;; esac
	done
	"$WINE" "$RTHOLDER" "$(winp "$dir")" "$(winp "$bin/msys-2.0.dll")" "${args[@]}" &
	RT_PID=$!
	PIDS+=("$RT_PID")
	wait_for "$dir/ready" "$RT_PID"
}

# v PID : the python expression of that process's verdict object in report's JSON
v() { printf '[p for p in d["fork"]["processes"] if p["comm"] == "rtholder.exe" and p["pid"] == %s][0]' "$1"; }

# ---- the key: the runtime's hash of its DLL's final path ------------------------
want_key=$(python3 -c '
import sys
s = "\\??\\" + "Z:" + sys.argv[1].replace("/", "\\")
h = 0
for c in s.upper():
    h = (ord(c) + (h << 6) + (h << 16) - h) & 0xffffffffffffffff
print("%016x" % h)' "$bin/msys-2.0.dll")
got_key=$("$WINE" "$RTHOLDER" --key "$(winp "$bin/msys-2.0.dll")" | tr -d '\r')
verify "the test's two computations of the installation key agree" test "$want_key" = "$got_key"

# ---- ok: nothing replaced -----------------------------------------------------------
start_rt "$T/p1" "$bin/msys-foo.dll" "$bin/msys-bar.dll"
p1=$RT_PID
mkdir -p "$T/other"
"$WINE" "$HOLDER" "$(winp "$T/other")" &  # a process of no installation
PIDS+=($!)
wait_for "$T/other/ready" $!
out=$(fs report --json --root "$rroot")
expect_rc "report" 0 $?
w1=$(jget "$out" '[p["pid"] for p in d["fork"]["processes"]][0]')
check "report: one process of the installation, ok; the object directory is the runtime's" "$out" \
	'len(d["fork"]["processes"]) == 1' \
	'd["fork"]["processes"][0]["verdict"] == "ok"' \
	"d['fork']['object_directory'] == '\\\\BaseNamedObjects\\\\msys-2.0S5-$want_key'" \
	'd["fork"]["retry"] == "off"' 'd["fork"]["retry_reason"].endswith("/var/run/cygfork does not exist")'
out=$(fsi ps --json)
check "ps from inside the installation: rtholder ok, the other process has no verdict" "$out" \
	"[p['fork']['verdict'] for p in d['processes'] if p['pid'] == $w1] == ['ok']" \
	'[p["fork"] for p in d["processes"] if p["comm"] == "holder.exe"] == [None]'
out=$(fsi ps --brief)
verify "ps text names the verdict" has "$out" "$w1 rtholder.exe .* \\[fork ok: every loaded image is still the file at its path\\]: [0-9]+ images"

# ---- fails: replaced while the retry is off -----------------------------------------
out=$(printf 'usr/bin/msys-foo.dll\n' | fs guard --json --stdin --root "$rroot")
expect_rc "guard (the pre-transaction hook's work)" 0 $?
check "guard forecasts: msys-foo.dll replaced with the retry off leaves the process at fails" "$out" \
	'd["fork"]["retry"] == "off"' "[p['verdict_now'] for p in d['fork']['processes']] == ['ok']" \
	"[p['verdict'] for p in d['fork']['processes']] == ['fails']" \
	"d['fork']['processes'][0]['reason'].startswith('the transaction replaces /usr/bin/msys-foo.dll and the runtime\\'s retry is off')"
out=$(printf 'usr/bin/msys-foo.dll\nusr/bin/msys-2.0.dll\n' | fs hook pre-transaction --root "$rroot")
expect_rc "the pre-transaction hook" 0 $?
verify "the hook's one line says, before anything is replaced, who must restart" has "$out" \
	'forksafe: kept 1 in-use file for running processes; the runtime DLL is in use and never kept \(its users must restart if it changes\); fork after it: 1 must restart \(forksafe guard --json\)'
verify "pacman: the loaded DLL renamed into the recycle bin" \
	win_mv "$bin/msys-foo.dll" "$T/\$Recycle.Bin/S-1-5-21-0-0-0-1000/.msys0001"
cp "$TESTDLL2" "$bin/msys-foo.dll"
out=$(fs report --json --root "$rroot")
check "replaced, no cygfork directory: fails" "$out" \
	"$(v "$w1")['verdict'] == 'fails'" \
	"'msys-foo.dll was replaced' in $(v "$w1")['reason']" \
	"'retry is off' in $(v "$w1")['reason']"

# ---- fails: cygfork made after the installation's processes started ------------------
sleep 3 # past the slack given to the runtime's start-up (2 s)
mkdir -p "$root/var/run/cygfork"
out=$(fs report --json --root "$rroot")
check "cygfork made late: the runtime decided without it: fails" "$out" \
	'd["fork"]["retry"] == "off"' "'appeared after process $w1' in d['fork']['retry_reason']" \
	"$(v "$w1")['verdict'] == 'fails'"

# ---- retry: a running process holds a cygfork mutex: the retry is on ------------------
sid=S-1-5-21-0-0-0-1000
held=0000000000000ABC@0000002A00000001
stale=00000000000000AB@0000004D00000001
mkdir -p "$root/var/run/cygfork/$sid/$held" "$root/var/run/cygfork/$sid/$stale" \
	"$root/var/run/cygfork/$sid/not-the-runtimes" "$root/var/run/cygfork/$sid/0000000000000ABC@00000001"
touch "$root/var/run/cygfork/$sid/$held/msys-foo.dll"
# the stale one as the runtime leaves it: the exe's .local file, DLLs
# hardlinked by file ID, an ACL every user may write through
cf=$root/var/run/cygfork/$sid
cp "$TESTDLL" "$T/spare.dll"
mkdir -p "$cf/$stale/0000000000000010"
ln "$T/spare.dll" "$cf/$stale/0000000000000010/msys-foo.dll"
ln "$T/spare.dll" "$cf/$stale/rtholder.exe"
touch "$cf/$stale/rtholder.exe.local"
win_set_dacl "$cf/$stale" "D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;WD)"
# a stale one that links a DLL a running process still has loaded (the old
# msys-foo.dll): Windows refuses to delete that name while it is mapped
busy=0000000000000BCD@0000004E00000001
mkdir -p "$cf/$busy/0000000000000011"
ln "$T/\$Recycle.Bin/S-1-5-21-0-0-0-1000/.msys0001" "$cf/$busy/0000000000000011/msys-foo.dll"
start_rt "$T/p2" --mutex "cygfork@$sid@$held"
verify "rtholder's object directory is the one the test computed" \
	test "$(tr -d '\r' <"$T/p2/objdir")" = "\\BaseNamedObjects\\msys-2.0S5-$want_key"
out=$(fs report --json --root "$rroot")
check "the retry is on (a held mutex proves it); replaced and reachable: retry (Wine: known from guard's manifest)" "$out" \
	'd["fork"]["retry"] == "on"' "'cygfork@$sid@$held' in d['fork']['retry_reason']" \
	"$(v "$w1")['verdict'] == 'retry'" \
	"'the runtime\\'s retry links the old file (kept in the store' in $(v "$w1")['reason']"
out=$(fs report --root "$rroot")
verify "report text: the counts and the verdict line" has "$out" \
	"fork: 1 ok, 1 retry, 0 fails, 0 restart; retry on: .*" \
	"  $w1 rtholder.exe .*: retry: .*msys-foo.dll was replaced: the runtime's retry links the old file .*"

# ---- retire: stale runtime directories go, held and foreign ones stay ----------------
out=$(fs retire --json --dry-run --root "$rroot")
check "retire --dry-run names the stale directories only, removes nothing" "$out" \
	"d['cygfork']['removed'] == ['$sid/$stale', '$sid/$busy']" 'd["cygfork"]["held"] == 1' 'd["cygfork"]["problems"] == []'
verify "dry run: still there" test -d "$root/var/run/cygfork/$sid/$stale"
out=$(fs retire --json --root "$rroot")
expect_rc "retire" 0 $?
check "retire removes the directory whose mutex is gone; one it cannot remove is reported, not claimed" "$out" \
	"d['cygfork']['removed'] == ['$sid/$stale']" 'd["cygfork"]["held"] == 1' \
	"len(d['cygfork']['problems']) == 1" "d['cygfork']['problems'][0].startswith('$sid/$busy: ')"
verify "the stale directory is gone (its hardlinks, .local file and ACL too)" test ! -e "$root/var/run/cygfork/$sid/$stale"
verify "  the file its hardlinks named is still there" test -f "$T/spare.dll"
verify "the loaded DLL's link stays" test -f "$cf/$busy/0000000000000011/msys-foo.dll"
verify "the held one stays" test -f "$root/var/run/cygfork/$sid/$held/msys-foo.dll"
verify "names not of the runtime's form stay" test -d "$root/var/run/cygfork/$sid/not-the-runtimes"
verify "a short id is not the runtime's form: stays" test -d "$root/var/run/cygfork/$sid/0000000000000ABC@00000001"
out=$(fs retire --root "$rroot")
verify "a second retire has nothing of the runtime's to remove" test -z "$(grep 'cygfork/.*: removed' <<<"$out")"
grep "cygfork/$sid/$busy" <<<"$out"
verify "  and says in one line what it leaves, and why" has "$out" "forksafe: cygfork/$sid/$busy: .+: left alone"

# ---- fails: an old file gone (Wine only: NTFS never lets a loaded DLL's last name go) --
rm "$bin/msys-bar.dll"
out=$(fs report --json --root "$rroot")
check "Wine only: the old msys-bar.dll has no name left: fails, whatever the retry" "$out" \
	"$(v "$w1")['verdict'] == 'fails'" \
	"'msys-bar.dll was replaced (and 1 more replaced) and the old file cannot be opened' in $(v "$w1")['reason']"

# ---- restart: the runtime itself (Wine only: its last name removed from the host) -------
w2=$(jget "$out" "[p['pid'] for p in d['fork']['processes'] if p['pid'] != $w1][0]")
rm "$bin/msys-2.0.dll"
out=$(fs report --json --root "$rroot")
check "Wine only: the runtime DLL gone: every process of the installation must restart" "$out" \
	"$(v "$w1")['verdict'] == 'restart'" "$(v "$w2")['verdict'] == 'restart'" \
	"'the runtime Z:' in $(v "$w2")['reason']"

# ---- the held directory goes once its holder has exited -------------------------------
stop_holder "$T/p2" "$RT_PID"
out=$(fs retire --json --root "$rroot")
check "after its holder exited, the last runtime directory is retired" "$out" \
	"d['cygfork']['removed'] == ['$sid/$held']" 'd["cygfork"]["held"] == 0'
stop_holder "$T/p1" "$p1"
out=$(fs retire --json --root "$rroot")
check "once no process has its DLL loaded, the last stale directory goes" "$out" \
	"d['cygfork']['removed'] == ['$sid/$busy']" 'd["cygfork"]["problems"] == []'

# ---- a mutex that cannot be checked: the directory is never touched ----------------
# Another installation whose object directory's name is taken by a mutex (a
# squatter in \BaseNamedObjects): no cygfork mutex can be checked there.
root2=$T/other64
mkdir -p "$root2/usr/bin" "$root2/var/run/cygfork/$sid/$stale"
cp "$TESTDLL" "$root2/usr/bin/msys-2.0.dll"
key2=$("$WINE" "$RTHOLDER" --key "$(winp "$root2/usr/bin/msys-2.0.dll")" | tr -d '\r')
mkdir -p "$T/sq"
"$WINE" "$RTHOLDER" --squat "$(winp "$T/sq")" "\\BaseNamedObjects\\msys-2.0S5-$key2" &
sq=$!
PIDS+=("$sq")
wait_for "$T/sq/ready" "$sq"
out=$(fs retire --json --root "$(winp "$root2")")
expect_rc "retire with the object directory's name taken" 0 $?
check "its cygfork directory is left alone, and said so" "$out" \
	'd["cygfork"]["removed"] == []' "len(d['cygfork']['problems']) == 1" \
	"d['cygfork']['problems'][0].startswith('$sid/$stale: ')"
verify "the directory whose mutex cannot be checked is still there" test -d "$root2/var/run/cygfork/$sid/$stale"
stop_holder "$T/sq" "$sq" # its name is free only once its process is gone
out=$(fs retire --json --root "$(winp "$root2")")
check "once the name is free, it is retired" "$out" "d['cygfork']['removed'] == ['$sid/$stale']"
touch "$T/other/quit"
finish
