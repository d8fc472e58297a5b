#!/usr/bin/env bash
# test_pkgscripts.sh - the Cygwin setup.exe perpetual scripts
# (pkg-scripts/cygwin/*.dash.in), written as `cmake --install` writes them
# (cmake/install_setup_scripts.cmake) and run by dash as setup.exe runs
# them, with the native Linux build against a scratch root: 0p_ keeps every
# in-use image, the "upgrade" replaces one, zp_ keeps what a live process
# maps, retires the rest, reports, and makes var/run/cygfork.  Never a
# failed exit.  The scripts run the program and read the configuration
# their install named.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

command -v dash >/dev/null || { echo "skipped: no dash"; exit 77; }
need_tools cmake
# an installation prefix of its own: the scripts name P/bin/forksafe and
# P/etc/forksafe.conf; the program there is this build's
P=$T/prefix
SCRIPTS=$T/scripts
mkdir -p "$P/bin" "$P/etc"
ln -s "$FORKSAFE" "$P/bin/forksafe"
cmake -DCMAKE_INSTALL_PREFIX="$P" -DFS_SETUP_SRC="$SOURCE_DIR/pkg-scripts/cygwin" \
	-DFS_SETUP_TMP="$T/setup-tmp" -DFS_SETUP_BINDIR=bin -DFS_SETUP_EXE=forksafe \
	-DFS_SETUP_SYSCONFDIR=etc -P "$SOURCE_DIR/cmake/install_setup_scripts.cmake" >"$T/setup.log" 2>&1 ||
	{ cat "$T/setup.log"; echo "install_setup_scripts.cmake failed"; exit 1; }
# where setup.exe looks, under the prefix's configuration directory
mkdir "$SCRIPTS"
for s in preremove/0p_forksafe.dash postinstall/zp_forksafe.dash; do
	[ -f "$P/etc/$s" ] || { echo "the install wrote no $P/etc/$s"; exit 1; }
	ln -s "$P/etc/$s" "$SCRIPTS/"
done
R=$T/cygwin
S=$R/var/lib/forksafe
mkdir -p "$R/bin"
cp "$TESTLIB" "$R/bin/cygdemo.so"
cp "$TESTLIB" "$R/bin/cygidle.so"
cp "$TESTLIB" "$R/bin/cygwin1.dll" # a Cygwin root: the hook makes cygfork there
# the program the scripts name: FORKSAFE (the tests' environment names the
# build's program) left empty
run() { FORKSAFE='' FORKSAFE_ROOT=$R dash "$SCRIPTS/$1"; }

start_mapper "$T/ready" "$R/bin/cygdemo.so"
M=$MAPPER_PID

out=$(run 0p_forksafe.dash 2>&1)
expect_rc "0p_forksafe.dash" 0 $?
verify "it says what it kept" grep -q "kept" <<<"$out"
snap=$(cd "$S" && ls -d snap-* 2>/dev/null)
verify "one snapshot keeps the in-use image only" \
	test -e "$S/$snap/files/bin/cygdemo.so" -a ! -e "$S/$snap/files/bin/cygidle.so"

# setup.exe installs the new version
replace_like_pm "$R/bin/cygdemo.so" "$TESTLIB2"
out=$(run zp_forksafe.dash 2>&1)
expect_rc "zp_forksafe.dash" 0 $?
verify "the replaced image is still kept for the running process" \
	test -e "$S/$snap/files/bin/cygdemo.so"
verify "cygfork is made, world-writable and sticky" \
	test "$(stat -c %a "$R/var/run/cygfork")" = 1777
verify "it says the fork retry is off, and why" \
	grep -q "fork retry is off: Cygwin's fork retry needs NTFS" <<<"$out"
verify "it names the process running a replaced image" grep -q "1 process" <<<"$out"

kill -9 "$M"
wait "$M" 2>/dev/null
out=$(run zp_forksafe.dash 2>&1)
expect_rc "zp_forksafe.dash after the process ended" 0 $?
verify "cygfork on a file system that cannot serve is still said" grep -q "fork retry is off" <<<"$out"
verify "the snapshot is retired" test ! -e "$S/$snap"

# problems are warnings: the installation goes on
out=$(FORKSAFE='' FORKSAFE_ROOT=$T/missing dash "$SCRIPTS/0p_forksafe.dash" 2>&1)
expect_rc "0p_ with a root that does not exist" 0 $?
verify "says so as a warning" grep -q "^forksafe: warning: " <<<"$out"
# ... unless the configuration the install named says strict = yes
echo "strict = yes" >"$P/etc/forksafe.conf"
out=$(FORKSAFE='' FORKSAFE_ROOT=$T/missing dash "$SCRIPTS/0p_forksafe.dash" 2>&1)
expect_rc "0p_ with a root that does not exist, strict = yes in $P/etc/forksafe.conf" 1 $?
verify "says so as an error" grep -q "^forksafe: error: " <<<"$out"
echo "strictly = yes" >"$P/etc/forksafe.conf"
out=$(FORKSAFE='' FORKSAFE_ROOT=$R dash "$SCRIPTS/zp_forksafe.dash" 2>&1)
expect_rc "zp_ with a configuration it cannot read" 0 $?
verify "names the configuration the install named" grep -qF "$P/etc/forksafe.conf" <<<"$out"
rm "$P/etc/forksafe.conf"
# FORKSAFE names another program (the tests' way in)
out=$(FORKSAFE=$T/not-installed dash "$SCRIPTS/zp_forksafe.dash" 2>&1)
expect_rc "zp_ when forksafe is not installed" 0 $?
verify "and says nothing" test -z "$out"
rm "$P/bin/forksafe"
out=$(FORKSAFE='' FORKSAFE_ROOT=$R dash "$SCRIPTS/0p_forksafe.dash" 2>&1)
expect_rc "0p_ when the program its install named is gone" 0 $?
verify "and says nothing" test -z "$out"
finish
