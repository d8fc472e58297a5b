#!/usr/bin/env bash
# The fork retry switched on and kept on (issue 13, item 1): in an MSYS2-like
# installation (forksafe.exe in msys64\usr\bin\ beside msys-2.0.dll, a process
# of that installation holding msys-2.0.dll), the post-transaction hook - what
# pacman runs after every transaction, and after installing forksafe itself -
# makes var/run/cygfork, quietly when nothing changes; enable checks an
# existing directory's rights and never calls "protected" the processes that
# started before the directory existed.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/../integration/lib.sh"
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/wine.sh"

msys=$T/msys64
mkdir -p "$msys/usr/bin"
cp "$FORKSAFE_EXE" "$msys/usr/bin/forksafe.exe"
cp "$HOLDER" "$msys/usr/bin/holder.exe"
cp "$TESTDLL" "$msys/usr/bin/msys-2.0.dll"
mfs() { "$WINE" "$msys/usr/bin/forksafe.exe" "$@"; }
HOLDER=$msys/usr/bin/holder.exe
start_holder "$T/h" "$msys/usr/bin/msys-2.0.dll"
OLD_PID=$HOLDER_PID
sleep 0.1 # a creation time after the holder's, at Windows' clock resolution

# ---- the first transaction (forksafe's own installation) makes it --------------
out=$(mfs hook post-transaction 2>&1)
expect_rc "hook post-transaction, default root" 0 $?
verify "makes the installation's var/run/cygfork" test -d "$msys/var/run/cygfork"
verify "says so, and that the running process waits for the installation's restart" \
	grep -q "made /var/run/cygfork: .* once the 1 running process of this installation" <<<"$out"
# Wine keeps only what a unix mode can say (Windows keeps the ACL as set):
# the exact ACL is checked only where this Wine keeps one that a mode cannot say
mkdir -p "$T/probe"
win_set_dacl "$T/probe" "D:P(A;;FA;;;SY)(A;;0x1200af;;;WD)"
if grep -q "0x1200af;;;WD" <<<"$(win_dacl "$T/probe")"; then
	dacl=$(win_dacl "$msys/var/run/cygfork")
	verify "everyone may add entries, not remove them ($dacl)" grep -q "(A;;0x1200af;;;WD)" <<<"$dacl"
	WINE_KEEPS_ACLS=1
else
	echo "skipped: this Wine keeps no ACL a unix mode cannot say: cygfork's exact ACL is unchecked"
	WINE_KEEPS_ACLS=0
fi

out=$(mfs enable --json 2>/dev/null)
expect_rc "enable while a process predates the directory: not protected" 1 $?
check "names it, the directory ready" "$out" \
	'd["created"] is False' 'd["ready"] is True' 'd["protected"] is False' \
	'd["problem"] is None' 'd["created_time"] > 0' \
	"d['weakness'] is None or not $WINE_KEEPS_ACLS" \
	'[p["comm"] for p in d["uncovered"]] == ["holder.exe"]'
out=$(mfs enable 2>/dev/null)
verify "the text names it and when it is covered" \
	grep -q "covered only once every process of the installation has exited" <<<"$out"
verify "and lists it" grep -q "holder.exe" <<<"$out"
verify "and never says protected:" test -z "$(grep '^forksafe: protected' <<<"$out")"

# ---- later transactions: quiet while nothing changes ---------------------------
out=$(mfs hook post-transaction 2>&1)
expect_rc "the next transaction" 0 $?
verify "says nothing of cygfork" test -z "$(grep cygfork <<<"$out")"

# ---- every old process gone: a new one is covered -----------------------------
stop_holder "$T/h" "$OLD_PID"
start_holder "$T/h2" "$msys/usr/bin/msys-2.0.dll"
out=$(mfs enable --json 2>/dev/null)
expect_rc "enable once the installation restarted" 0 $?
check "protected, nobody uncovered" "$out" 'd["protected"] is True' 'd["uncovered"] == []'

# ---- an existing directory with rights that cannot serve every user -----------
verify "an administrator narrows its ACL" \
	win_set_dacl "$msys/var/run/cygfork" "D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;;0x1200a9;;;WD)"
out=$(mfs enable --json 2>/dev/null)
expect_rc "enable with that ACL" 1 $?
check "is not ready, and says why" "$out" 'd["ready"] is False' 'd["protected"] is False' \
	'"add entries" in d["problem"]'
out=$(mfs hook post-transaction 2>&1)
expect_rc "the hook with that ACL" 0 $?
verify "warns that the retry is off" grep -q "warning: the fork retry is off: .*ACL" <<<"$out"
verify "everyone may remove others' entries" \
	win_set_dacl "$msys/var/run/cygfork" "D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;WD)"
out=$(mfs enable 2>/dev/null)
expect_rc "enable with a too-open ACL: the retry works" 0 $?
verify "warns that users may remove each other's entries" \
	grep -q "warning: /var/run/cygfork: its ACL lets every user remove or change" <<<"$out"
stop_holder "$T/h2" "$HOLDER_PID"

# ---- a root without a runtime DLL: the hook makes nothing ---------------------
mkdir -p "$T/plain/usr/bin"
out=$(mfs hook post-transaction --root "$(winp "$T/plain")" 2>&1)
expect_rc "the hook on a root without a runtime DLL" 0 $?
verify "makes nothing there" test ! -e "$T/plain/var/run"
finish
