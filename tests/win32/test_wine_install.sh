#!/usr/bin/env bash
# forksafe.exe installed as MSYS2 and Cygwin install it: run by the pacman
# hooks or setup.exe's scripts without --root, it takes the installation it
# lives in as the root (the directory above usr\bin\ or bin\).
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/../integration/lib.sh"
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/wine.sh"

# ---- MSYS2: C:\msys64\usr\bin\forksafe.exe --------------------------------------
msys=$T/msys64
mkdir -p "$msys/usr/bin"
cp "$FORKSAFE_EXE" "$msys/usr/bin/forksafe.exe"
cp "$TESTDLL" "$msys/usr/bin/msys-2.0.dll"
cp "$TESTDLL" "$msys/usr/bin/msys-z.dll"
mfs() { "$WINE" "$msys/usr/bin/forksafe.exe" "$@"; }
start_holder "$T/h" "$msys/usr/bin/msys-z.dll"

out=$(printf 'usr/bin/msys-z.dll\nusr/bin/msys-2.0.dll\nusr/share/\n' | mfs inuse --json --stdin)
expect_rc "inuse of package-relative targets, no --root" 1 $?
check "they are taken inside the installation" "$out" \
	"d['root'] == '/'" \
	'[p["comm"] for p in F("/usr/bin/msys-z.dll")["processes"]] == ["holder.exe"]' \
	'F("/usr/bin/msys-2.0.dll")["processes"] == []'
out=$(mfs inuse --json "$(winp "$msys/usr/bin/msys-z.dll")")
expect_rc "a drive path inside the installation" 1 $?
check "is the same file" "$out" 'd["files"][0]["path"] == "/usr/bin/msys-z.dll"'

out=$(echo usr/bin/msys-z.dll | mfs hook pre-transaction 2>&1)
expect_rc "the pacman hook's pre-transaction, no --root" 0 $?
verify "its snapshot is in the installation's store" \
	test -n "$(find "$msys/var/lib/forksafe" -path '*/files/usr/bin/msys-z.dll' 2>/dev/null)"
out=$(mfs hook post-transaction 2>&1)
expect_rc "post-transaction" 0 $?
out=$(mfs enable 2>/dev/null)
expect_rc "enable, no --root" 0 $?
verify "makes the installation's cygfork" test -d "$msys/var/run/cygfork"
verify "and names its runtime" grep -q "^forksafe: runtime /usr/bin/msys-2.0.dll$" <<<"$out"
stop_holder "$T/h" "$HOLDER_PID"

# ---- Cygwin: C:\cygwin64\bin\forksafe.exe, run by the setup scripts -------------------
cyg=$T/cygwin64
mkdir -p "$cyg/bin"
cp "$FORKSAFE_EXE" "$cyg/bin/forksafe.exe"
cp "$TESTDLL" "$cyg/bin/cygwin1.dll"
out=$("$WINE" "$cyg/bin/forksafe.exe" enable --json 2>/dev/null)
expect_rc "enable in a Cygwin layout" 0 $?
check "finds bin/cygwin1.dll" "$out" 'd["runtime"] == "cygwin1.dll"' 'd["bin"] == "/bin"'
verify "makes cygfork there" test -d "$cyg/var/run/cygfork"

out=$("$WINE" "$FORKSAFE_EXE" --version)
verify "the cross build says which features it has" grep -q "features: none" <<<"$out"
finish
