#!/usr/bin/env bash
# test_package_windows.sh - what can be checked here of the MSYS2 package
# (packaging/msys2/PKGBUILD, forksafe.install) and the Cygwin one
# (packaging/cygwin/forksafe.cygport): neither makepkg-on-MSYS2 nor cygport
# runs on Linux, but their build and install steps are cmake with the
# mingw-w64 cross compiler, which does.  Each is sourced in bash and its
# steps run on a copy of this source tree with the variables makepkg or
# cygport would set; what it installs is compared with what
# `cmake --install` of that mingw-w64 build installs (computed here, not
# listed).  With Wine, the MSYS2 install script runs the packaged
# forksafe.exe in a scratch installation and makes its /var/run/cygfork.
# The files' lint is the shellcheck_packaging test (tests/CMakeLists.txt).
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

need_tools cmake ninja x86_64-w64-mingw32-gcc
export CMAKE_BUILD_PARALLEL_LEVEL=2 # a shared machine
version=$(project_version)

# hooks_of DIR : the alpm hooks hooks/pacman makes, as installed under DIR
hooks_of() { (cd "$SOURCE_DIR/hooks/pacman" && for h in *.hook.in; do echo "$1/${h%.in}"; done); }
# all_in LINES FILE : every line of LINES is a line of the sorted FILE
# shellcheck disable=SC2317 # called through verify
all_in() { ! comm -23 <(LC_ALL=C sort <<<"$1") "$2" | grep -q .; }
# shellcheck disable=SC2317 # called through verify
is_pe() { [ "$(head -c 2 "$1" 2>/dev/null)" = MZ ]; }

# ==== MSYS2 ================================================================================
srcdir=$T/msys2/src
pkgdir=$T/msys2/pkg
startdir=$srcdir/forksafe/packaging/msys2
CARCH=x86_64
copy_source_tree "$srcdir/forksafe" || { echo "copy of the source tree failed"; exit 1; }
mkdir -p "$pkgdir"
# msys2_run FUNCTION : a PKGBUILD function as makepkg runs it: in srcdir,
# errexit, makepkg's variables set.
msys2_run() {
	(
		set -e
		export srcdir pkgdir startdir CARCH
		# shellcheck source=../../packaging/msys2/PKGBUILD
		. "$startdir/PKGBUILD"
		cd "$srcdir"
		"$1"
	) >"$T/msys2-$1.log" 2>&1
}
# shellcheck source=../../packaging/msys2/PKGBUILD
msys2_field() { (. "$startdir/PKGBUILD" && eval "printf '%s\n' \"\${$1[@]}\""); }

start=$SECONDS
if msys2_run build; then
	pass "MSYS2: the PKGBUILD's build() with the mingw-w64 cross compiler ($((SECONDS - start)) s)"
	if msys2_run package; then
		pass "MSYS2: the PKGBUILD's package()"
	else
		tail -20 "$T/msys2-package.log"
		fail "MSYS2: the PKGBUILD's package()"
	fi
else
	tail -30 "$T/msys2-build.log"
	fail "MSYS2: the PKGBUILD's build()"
fi
verify "MSYS2: pkgver is the project's version ($version)" [ "$(msys2_field pkgver)" = "$version" ]
name=$(msys2_field _realname)
# what cmake --install of that build installs, less Cygwin's setup.exe
# scripts, plus the licence
DESTDIR=$T/msys2/ref cmake --install "$srcdir/build-$CARCH" >"$T/msys2-ref.log" 2>&1 ||
	{ cat "$T/msys2-ref.log"; fail "MSYS2: cmake --install of the PKGBUILD's build"; }
{
	file_list "$T/msys2/ref" | grep -Ev '^etc/(preremove|postinstall)/'
	echo "usr/share/licenses/$name/LICENSE"
} | LC_ALL=C sort >"$T/msys2-want"
file_list "$pkgdir" >"$T/msys2-got"
verify "MSYS2: the package holds what cmake --install installs but setup.exe's scripts, and the licence ($(wc -l <"$T/msys2-got") files)" \
	diff -u "$T/msys2-want" "$T/msys2-got"
verify "  among them every alpm hook, in /usr/share/libalpm/hooks" all_in "$(hooks_of usr/share/libalpm/hooks)" "$T/msys2-got"
verify "  and forksafe.exe in /usr/bin, a Windows program" is_pe "$pkgdir/usr/bin/forksafe.exe"
for h in "$pkgdir"/usr/share/libalpm/hooks/*.hook; do
	verify "  $(basename "$h") runs /usr/bin/forksafe (through /bin/sh)" \
		grep -qE "^Exec = /bin/sh -c '.*' forksafe /usr/bin/forksafe (pre|post)-transaction\$" "$h"
done

install_file=$startdir/$(msys2_field install)
verify "MSYS2: the install script the PKGBUILD names exists" [ -f "$install_file" ]
# shellcheck disable=SC1090,SC2317 # the install script; called through verify
defines() { (. "$1" && declare -F "$2" >/dev/null); }
for f in post_install post_upgrade; do
	verify "  it defines $f()" defines "$install_file" "$f"
done
WINE64=$(command -v /usr/lib/wine/wine64 wine64 2>/dev/null | head -1)
WINESERVER=$(command -v /usr/lib/wine/wineserver wineserver 2>/dev/null | head -1)
if [ -n "$WINE64" ] && [ -n "$WINESERVER" ] && [ -f "$pkgdir/usr/bin/forksafe.exe" ]; then
	# The package unpacked as an installation; pacman runs the script in
	# the root, where MSYS2 finds usr/bin/forksafe.exe as usr/bin/forksafe:
	# here a wrapper runs it under Wine.
	root=$T/msys2/root
	mkdir -p "$root"
	cp -a "$pkgdir/." "$root/"
	export WINEPREFIX=$T/wineprefix WINEDEBUG=-all
	CLEANUPS+=("'$WINESERVER' -k 2>/dev/null")
	printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$WINE64" "$root/usr/bin/forksafe.exe" >"$root/usr/bin/forksafe"
	chmod +x "$root/usr/bin/forksafe"
	# shellcheck disable=SC1090 # the install script
	out=$(cd "$root" && . "$install_file" && post_install 2>&1)
	expect_rc "MSYS2: the install script's post_install never fails the install" 0 $?
	echo "$out"
	verify "  forksafe enable made the installation's /var/run/cygfork" [ -d "$root/var/run/cygfork" ]
	verify "  and said so" has "$out" "forksafe: /var/run/cygfork created.*"
	rm -rf "$root/var/run/cygfork"
	# shellcheck disable=SC1090 # the install script
	(cd "$root" && . "$install_file" && post_upgrade) >/dev/null 2>&1
	verify "  post_upgrade does the same" [ -d "$root/var/run/cygfork" ]
else
	echo "skipped: the install script under Wine (no wine64, wineserver or forksafe.exe)"
fi

# ==== Cygwin ================================================================================
# cygport's directories: S the sources, B the build, D the install
C=$SOURCE_DIR/packaging/cygwin/forksafe.cygport
S=$T/cygwin/forksafe-$version
B=$T/cygwin/build
D=$T/cygwin/inst
copy_source_tree "$S" || { echo "copy of the source tree failed"; exit 1; }
mkdir -p "$B" "$D"
# cygport_run FUNCTION : a cygport function with cygport's variables and
# its error() (which ends the build).
cygport_run() {
	(
		set -e
		export S B D
		# shellcheck disable=SC2317 # called by the cygport
		error() { echo "cygport: error: $*" >&2; exit 1; }
		# shellcheck source=../../packaging/cygwin/forksafe.cygport
		. "$C"
		"$1"
	) >"$T/cygwin-$1.log" 2>&1
}
# shellcheck disable=SC1090 # the cygport
cygport_field() { (. "$C" && eval "printf '%s\n' \"\${$1}\""); }

start=$SECONDS
if cygport_run src_compile; then
	pass "Cygwin: the cygport's src_compile with the mingw-w64 cross compiler ($((SECONDS - start)) s)"
	cygport_run src_install || { tail -20 "$T/cygwin-src_install.log"; fail "Cygwin: the cygport's src_install"; }
else
	tail -30 "$T/cygwin-src_compile.log"
	fail "Cygwin: the cygport's src_compile"
fi
verify "Cygwin: VERSION is the project's version ($version)" [ "$(cygport_field VERSION)" = "$version" ]
DESTDIR=$T/cygwin/ref cmake --install "$B" >"$T/cygwin-ref.log" 2>&1 ||
	{ cat "$T/cygwin-ref.log"; fail "Cygwin: cmake --install of the cygport's build"; }
file_list "$T/cygwin/ref" >"$T/cygwin-want"
file_list "$D" >"$T/cygwin-got"
verify "Cygwin: the package holds what cmake --install installs ($(wc -l <"$T/cygwin-got") files)" \
	diff -u "$T/cygwin-want" "$T/cygwin-got"
verify "  among them forksafe.exe in /usr/bin, a Windows program" is_pe "$D/usr/bin/forksafe.exe"
# setup.exe's perpetual scripts (pkg-scripts/README.md): 0p_* run before
# any removal (/etc/preremove), zp_* after every postinstall script
for s in "$SOURCE_DIR"/pkg-scripts/cygwin/*.dash; do
	n=$(basename "$s")
	case $n in
	0p_*) at=etc/preremove/$n ;;
	zp_*) at=etc/postinstall/$n ;;
	*) fail "pkg-scripts/cygwin/$n: neither a 0p_ nor a zp_ script"; continue ;;
	esac
	verify "  pkg-scripts/cygwin/$n is /$at, the same file" cmp -s "$s" "$D/$at"
done
finish
