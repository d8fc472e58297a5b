#!/usr/bin/env bash
# enable and report on Windows, and bad input, under Wine.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/../integration/lib.sh"
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/wine.sh"

root=$T/msys64
mkdir -p "$root/usr/bin"
cp "$TESTDLL" "$root/usr/bin/msys-2.0.dll"
cp "$TESTDLL" "$root/usr/bin/msys-z.dll"
rroot=$(winp "$root")

# ---- enable -----------------------------------------------------------------
out=$(fs enable --json --root "$rroot" 2>/dev/null)
expect_rc "enable on an MSYS2-like root" 0 $?
check "enable creates cygfork and finds the runtime" "$out" \
	'd["created"] is True' 'd["runtime"] == "msys-2.0.dll"' 'd["bin"] == "/usr/bin"' \
	'd["ntfs"] is True' 'd["same_volume"] is True' 'd["protected"] is True'
verify "the cygfork directory exists" test -d "$root/var/run/cygfork"
out=$(fs enable --root "$rroot" 2>/dev/null)
expect_rc "enable again" 0 $?
verify "says it was there already" grep -q "exists already" <<<"$out"
mkdir -p "$T/empty"
fs enable --root "$(winp "$T/empty")" >"$T/out" 2>/dev/null
expect_rc "enable where no runtime is" 1 $?
verify "says why it is not protected" grep -q "not protected: no cygwin1.dll or msys-2.0.dll" "$T/out"

# ---- report: the runtime DLL replaced means restart --------------------------
start_holder "$T/h" "$root/usr/bin/msys-2.0.dll" "$root/usr/bin/msys-z.dll"
out=$(fs report --json --root "$rroot")
expect_rc "report before any change" 0 $?
# WINE ONLY: the loaded runtime DLL's last name removed from the host.  NTFS
# never allows this (a mapped image's delete is refused, POSIX semantics or
# not: the runtime's unlink moves it into the recycle bin instead, where it
# keeps its file ID), and Wine refuses it through Win32 too.  It stays here
# because it is the one state in which Wine shows report and ps a module
# whose path no longer names the file it maps (Wine reports a renamed module
# by its old name, see test_wine_scan.sh); what Windows does after a real
# upgrade is replayed in test_wine_replay.sh.
echo "wine-only state: the loaded msys-2.0.dll's last name removed from the host"
rm "$root/usr/bin/msys-2.0.dll"
out=$(fs report --json --root "$rroot")
expect_rc "(wine-only state) report after the runtime DLL's last name went" 1 $?
check "(wine-only state) the process must restart because of msys-2.0.dll" "$out" \
	'd["processes_affected"] == 1' 'len(d["must_restart"]) == 1' \
	'[(i["path"].endswith("/usr/bin/msys-2.0.dll"), i["runtime"]) for i in d["must_restart"][0]["images"]] == [(True, True)]' \
	'not any(i["path"].endswith("/usr/bin/msys-z.dll") for g in d["packages"] for p in g["processes"] for i in p["images"])'
# the runtime DLL is never kept: the post-transaction hook, which counts
# who runs the files kept, must look at every image for it (no snapshot
# here at all)
out=$(fs hook post-transaction --root "$rroot" --store "$(winp "$T/s-hook")" 2>&1)
expect_rc "(wine-only state) hook post-transaction" 0 $?
verify "(wine-only state) its line counts the process that must restart" has "$out" \
	"forksafe: no replaced file needs keeping; 1 process runs replaced images, 1 must restart \(forksafe report\)"
out=$(fs ps --json)
check "(wine-only state) ps shows the removed DLL as deleted, its identity unknown" "$out" \
	'any(i["path"].endswith("/usr/bin/msys-2.0.dll") and i["deleted"] and i["dev"] is None and i["ino"] is None for p in d["processes"] for i in p["images"])'

# ---- a store on another volume: a snapshot must be a hardlink ----------------
# drive Q: is a tmpfs: another file system, as another drive is on Windows
shm=$(mktemp -d /dev/shm/forksafe-test.XXXXXX)
ln -sfn "$shm" "$WINEPREFIX/dosdevices/q:"
CLEANUPS+=("rm -rf '$shm' '$WINEPREFIX/dosdevices/q:'")
fs guard --root "$rroot" --store Q:/store usr/bin/msys-z.dll >"$T/out" 2>&1
expect_rc "guard with the store on another volume" 1 $?
verify "says the store is on another volume" grep -q "is on another volume" "$T/out"
# the same failure in a package manager's hook: a warning, unless strict
echo usr/bin/msys-z.dll | fs hook pre-transaction --root "$rroot" --store Q:/store \
	--config "$(winp "$T/none.conf")" >"$T/out" 2>&1
expect_rc "the hook goes on when keeping fails" 0 $?
verify "with a warning" grep -q "^forksafe: warning: " "$T/out"
printf 'strict = yes\n' >"$T/strict.conf"
echo usr/bin/msys-z.dll | fs hook pre-transaction --root "$rroot" --store Q:/store \
	--config "$(winp "$T/strict.conf")" >"$T/out" 2>&1
expect_rc "the hook fails when the configuration says strict" 1 $?
stop_holder "$T/h" "$HOLDER_PID"

# ---- bad input: one line on stderr, exit 2 -----------------------------------
one_line_error() { # DESCRIPTION ARGS...
	local what=$1
	shift
	fs "$@" >/dev/null 2>"$T/err"
	expect_rc "$what" 2 $?
	verify "$what: one line" test "$(grep -cv '^wine: ' "$T/err")" = 1
}
one_line_error "inuse with a root that does not exist" inuse --root "Z:$T/none" usr/bin/x.dll
one_line_error "guard with a root that does not exist" guard --root "Z:$T/none" usr/bin/x.dll
one_line_error "enable with a root that does not exist" enable --root "Z:$T/none"
one_line_error "a root that is a file" inuse --root "$rroot/usr/bin/msys-z.dll" x
# a bad target is skipped with one line, the others answered (docs/cli.md)
one_line_skip() { # DESCRIPTION PATTERN ARGS...
	local what=$1 pattern=$2 rc
	shift 2
	fs "$@" >"$T/out" 2>"$T/err"
	rc=$?
	expect_rc "$what: skipped" 3 "$rc"
	# (once, in a fresh prefix, this exited 1 with no line: what it said)
	[ "$rc" = 3 ] || sed 's/^/  said: /' "$T/out" "$T/err"
	verify "$what: one line naming it" grep -q -- "$pattern" "$T/out"
}
one_line_skip "'..' leaving the root" "skipped: leaves the root" inuse --root "$rroot" ../../etc/passwd
one_line_skip "a drive path outside the root" "skipped: outside the root" \
	inuse --root "$rroot" 'C:/windows/system32/kernel32.dll'
finish
