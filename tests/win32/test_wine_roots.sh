#!/usr/bin/env bash
# Paths and roots on Windows, with forksafe.exe run from inside an MSYS2-like
# installation as the pacman hooks and Cygwin's setup scripts run it:
# msys64\usr\bin\forksafe.exe beside msys-2.0.dll, and a process of that
# installation (msys64\usr\bin\holder.exe) keeping msys-2.0.dll and
# msys-foo.dll loaded.  Every case of issue 13, item 5, and the runtime DLL
# that guard never keeps (item 4).
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/../integration/lib.sh"
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/wine.sh"

# install DIR : an MSYS2-like installation at DIR (forksafe.exe, holder.exe,
# the runtime DLL and msys-foo.dll in usr/bin)
install() {
	mkdir -p "$1/usr/bin" "$1/tmp"
	cp "$FORKSAFE_EXE" "$1/usr/bin/forksafe.exe"
	cp "$HOLDER" "$1/usr/bin/holder.exe"
	cp "$TESTDLL" "$1/usr/bin/msys-2.0.dll"
	cp "$TESTDLL" "$1/usr/bin/msys-foo.dll"
}
# hold INST DIR : the installation's holder.exe keeping its runtime DLL and
# msys-foo.dll loaded; HOLDER_PID
hold() {
	local h=$HOLDER
	HOLDER=$1/usr/bin/holder.exe
	start_holder "$2" "$1/usr/bin/msys-2.0.dll" "$1/usr/bin/msys-foo.dll"
	HOLDER=$h
}

msys=$T/msys64
install "$msys"
mfs() { "$WINE" "$msys/usr/bin/forksafe.exe" "$@"; }
wroot=$(winp "$msys")
broot=${wroot//\//\\}
hold "$msys" "$T/h"
# a DLL outside the installation, loaded by another process
mkdir -p "$T/elsewhere"
cp "$TESTDLL2" "$T/elsewhere/other.dll"
start_holder "$T/h2" "$T/elsewhere/other.dll"
HOLDER2_PID=$HOLDER_PID

# ---- guard --all-in-use with the default root: what the preremove script runs
out=$(mfs guard --all-in-use --json)
expect_rc "guard --all-in-use, default root" 0 $?
check "keeps msys-foo.dll, never the runtime DLL nor forksafe.exe" "$out" \
	'"/usr/bin/msys-foo.dll" in [e["path"] for e in d["kept"]]' \
	'"/usr/bin/msys-2.0.dll" not in [e["path"] for e in d["kept"]]' \
	'not any(e["path"].endswith("forksafe.exe") for e in d["kept"])' \
	'd["runtime_not_kept"] == 1'
mfs retire --post-transaction >/dev/null

# the hook (a supervisor and its worker, both forksafe.exe): neither counts
out=$(mfs hook pre-transaction --all-in-use 2>&1)
expect_rc "hook pre-transaction --all-in-use, default root" 0 $?
verify "its line says the runtime DLL is never kept" grep -q "runtime DLL is in use and never kept" <<<"$out"
verify "msys-foo.dll is kept" \
	test -n "$(find "$msys/var/lib/forksafe" -path '*/files/usr/bin/msys-foo.dll')"
verify "the runtime DLL is not" \
	test -z "$(find "$msys/var/lib/forksafe" -path '*/files/usr/bin/msys-2.0.dll')"
verify "nor forksafe.exe (the hook's own supervisor)" \
	test -z "$(find "$msys/var/lib/forksafe" -name forksafe.exe)"
mfs hook post-transaction >/dev/null 2>&1
mfs hook pre-transaction --all-in-use --root "$wroot" >/dev/null 2>&1
expect_rc "hook pre-transaction --all-in-use --root" 0 $?
verify "keeps msys-foo.dll, not forksafe.exe" test -z "$(find "$msys/var/lib/forksafe" -name forksafe.exe)" -a \
	-n "$(find "$msys/var/lib/forksafe" -path '*/files/usr/bin/msys-foo.dll')"
mfs hook post-transaction --root "$wroot" >/dev/null 2>&1

# ---- a root given with '\' is the root given with '/'
out=$(mfs guard --all-in-use --root "$broot" --json)
expect_rc "guard --all-in-use --root with backslashes" 0 $?
check "finds the same in-use file" "$out" \
	'"/usr/bin/msys-foo.dll" in [e["path"] for e in d["kept"]]'
mfs retire --root "$broot" --post-transaction >/dev/null
out=$(mfs inuse --json --root "$broot" usr/bin/msys-foo.dll)
expect_rc "inuse --root with backslashes" 1 $?
check "names the holder" "$out" \
	'[p["comm"] for p in F("/usr/bin/msys-foo.dll")["processes"]] == ["holder.exe"]'

# ---- /x with the default root is the installation's /x
out=$(mfs inuse --json /usr/bin/msys-foo.dll)
expect_rc "inuse /usr/bin/msys-foo.dll, default root" 1 $?
check "is the installation's file" "$out" \
	'[p["comm"] for p in F("/usr/bin/msys-foo.dll")["processes"]] == ["holder.exe"]'

# ---- with --root, a drive path inside the root is that file ...
out=$(mfs inuse --json --root "$wroot" "$broot\\usr\\bin\\msys-foo.dll")
expect_rc "inuse --root R 'R\\usr\\bin\\msys-foo.dll'" 1 $?
check "is the root's file, in use" "$out" \
	'F("/usr/bin/msys-foo.dll")["exists"]' \
	'[p["comm"] for p in F("/usr/bin/msys-foo.dll")["processes"]] == ["holder.exe"]'
out=$(cd "$T" && mfs inuse --json --root msys64 "$wroot/usr/bin/msys-foo.dll")
expect_rc "the same with the root given relative to the current directory" 1 $?
check "is the root's file" "$out" 'F("/usr/bin/msys-foo.dll")["exists"]'
# ... and one outside is refused, never joined under the root as "missing"
mfs inuse --root "$wroot" "$(winp "$T/elsewhere/other.dll")" >"$T/out" 2>&1
expect_rc "inuse --root R with a drive path outside R" 3 $?
verify "says it is outside the root, in one line" grep -q "skipped: outside the root" "$T/out"
verify "never 'missing'" test -z "$(grep missing "$T/out")"

# ---- without --root a drive path is answered wherever it lies
out=$(mfs inuse --json "$(winp "$T/elsewhere/other.dll")")
expect_rc "inuse of a drive path outside the installation" 1 $?
check "is answered: in use by the other holder" "$out" \
	'd["files"][0]["exists"]' \
	'd["files"][0]["path"].endswith("/elsewhere/other.dll")' \
	'[p["comm"] for p in d["files"][0]["processes"]] == ["holder.exe"]'
out=$(mfs inuse --json 'C:\windows\system32\no-such.dll')
expect_rc "a missing drive path outside the installation" 0 $?
check "is missing, under its own name" "$out" \
	'd["files"][0]["exists"] is False' 'd["files"][0]["path"] == "C:/windows/system32/no-such.dll"'
out=$(mfs inuse --json "$wroot/usr/bin/msys-foo.dll")
expect_rc "a drive path inside the installation" 1 $?
check "is the installation's file" "$out" 'd["files"][0]["path"] == "/usr/bin/msys-foo.dll"'
out=$(mfs ps --json)
expect_rc "ps" 0 $?
check "lists the holders by drive paths, never forksafe.exe" "$out" \
	'any(i["path"].endswith("/elsewhere/other.dll") for p in d["processes"] for i in p["images"])' \
	'not any(p["comm"] == "forksafe.exe" for p in d["processes"])'
stop_holder "$T/h2" "$HOLDER2_PID"

# ---- report with a root given with '\': msys-foo.dll's name removed.  Under
# Wine the scan sees a rename or replacement by the module's old name (see
# test_wine_scan.sh), so the name is removed from Linux: a state only Wine
# allows (NTFS keeps a mapped image's last name), here only to judge the
# root's spelling.
rm "$msys/usr/bin/msys-foo.dll"
for r in "$wroot" "$broot"; do
	out=$(mfs report --json --root "$r")
	check "report --root $r names the holder" "$out" \
		'any(p["comm"] == "holder.exe" for g in d["packages"] for p in g["processes"])'
done
out=$(mfs report)
verify "report with the default root names it too" grep -q "holder.exe" <<<"$out"
stop_holder "$T/h" "$HOLDER_PID"

# ---- paths over MAX_PATH: an installation 300 characters deep
deep=$T
while [ ${#deep} -lt 300 ]; do deep=$deep/dddddddddddddddddddddddddddddddddddddddd; done
install "$deep/msys64"
dfs() { "$WINE" "$deep/msys64/usr/bin/forksafe.exe" "$@"; }
out=$(dfs inuse --json /usr/bin/msys-foo.dll 2>"$T/err" </dev/null)
rc=$?
if [ "$rc" = 0 ] || [ "$rc" = 1 ]; then
	check "inuse from an installation past MAX_PATH" "$out" \
		'F("/usr/bin/msys-foo.dll")["exists"]'
	out=$(dfs enable 2>&1)
	expect_rc "enable there" 0 $?
	verify "makes its cygfork" test -d "$deep/msys64/var/run/cygfork"
	out=$(dfs inuse --json "$(winp "$deep/msys64/usr/bin/msys-2.0.dll")")
	expect_rc "a long drive path inside it" 0 $?
	check "is the installation's file" "$out" 'd["files"][0]["path"] == "/usr/bin/msys-2.0.dll"'
else
	fail "forksafe.exe past MAX_PATH: exit $rc: $(cat "$T/err")"
fi

# ---- forksafe.exe outside any bin\ or usr\bin\: it says so, never takes C:
mkdir -p "$T/nobin"
cp "$FORKSAFE_EXE" "$T/nobin/forksafe.exe"
for args in "inuse /usr/bin/msys-foo.dll" "guard --all-in-use" "enable"; do
	# shellcheck disable=SC2086
	"$WINE" "$T/nobin/forksafe.exe" $args >"$T/out" 2>"$T/err"
	expect_rc "$args from outside an installation" 2 $?
	verify "$args: says it cannot tell the installation" \
		grep -q "cannot tell the installation forksafe.exe belongs to" "$T/err"
done
verify "and made nothing under C:" test ! -e "$WINEPREFIX/drive_c/var"
finish
