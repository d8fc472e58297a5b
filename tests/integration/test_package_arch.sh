#!/usr/bin/env bash
# test_package_arch.sh - packaging/arch/PKGBUILD as makepkg would use it
# (makepkg is not on this machine): sourced in bash, its build() and
# package() run on a copy of this source tree with Arch's compiler flags,
# .PKGINFO written, the package packed with bsdtar + zstd, then installed
# with the real pacman into a scratch root.  Checks that the package holds
# exactly what `cmake --install` installs (computed here, not listed), and
# that the next transaction runs forksafe's hooks from where the package
# put them: an upgrade of a package whose file a process maps makes a
# snapshot in the root's store.  Removing the package takes the hooks away.
#
# Hooks run chrooted into the root: a private mount namespace (unshare -m)
# bind-mounts the host's libraries and /proc into it for each pacman call;
# the forksafe in the root is the packaged one.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

need_tools pacman bsdtar zstd unshare cmake
if [ "$(id -u)" -ne 0 ] || ! unshare -m true 2>/dev/null; then
	echo "skipped: needs root and unshare -m (hooks run chrooted)"
	exit 77
fi

# --- the source tree makepkg would clone: this one, as it is now ------------------------
# (uncommitted files included; build directories left out)
SRC=$T/src/forksafe
mkdir -p "$SRC"
if git -C "$SOURCE_DIR" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git -C "$SOURCE_DIR" ls-files -z -c -o --exclude-standard |
		while IFS= read -r -d '' f; do [ -e "$SOURCE_DIR/$f" ] && printf '%s\0' "$f"; done |
		(cd "$SOURCE_DIR" && tar --null -T - -cf -) | (cd "$SRC" && tar -xf -)
else
	(cd "$SOURCE_DIR" && tar --exclude='./build*' -cf - .) | (cd "$SRC" && tar -xf -)
fi
[ -f "$SRC/packaging/arch/PKGBUILD" ] || { echo "copy of the source tree failed"; exit 1; }

# --- makepkg's part: build() and package() ---------------------------------------------
# Arch's default makepkg.conf flags: the build must pass -Werror with them.
ARCH_CFLAGS="-march=x86-64 -mtune=generic -O2 -pipe -fno-plt -fexceptions -Wp,-D_FORTIFY_SOURCE=3 -Wformat -Werror=format-security -fstack-clash-protection -fcf-protection -fno-omit-frame-pointer"
ARCH_LDFLAGS="-Wl,-O1 -Wl,--sort-common -Wl,--as-needed -Wl,-z,relro -Wl,-z,now"
srcdir=$T/src
pkgdir=$T/pkg
startdir=$SRC/packaging/arch
mkdir -p "$pkgdir"
# makepkg_run FUNCTION : runs a PKGBUILD function as makepkg does: in
# srcdir, errexit, with makepkg's variables and flags in the environment.
makepkg_run() {
	(
		set -e
		export srcdir pkgdir startdir CFLAGS=$ARCH_CFLAGS LDFLAGS=$ARCH_LDFLAGS
		export CMAKE_BUILD_PARALLEL_LEVEL=2
		# shellcheck source=../../packaging/arch/PKGBUILD
		. "$startdir/PKGBUILD"
		cd "$srcdir"
		"$1"
	) >"$T/$1.log" 2>&1
}
start=$SECONDS
if ! makepkg_run build; then
	tail -30 "$T/build.log"
	fail "the PKGBUILD's build() (with Arch's CFLAGS)"
	finish
fi
pass "the PKGBUILD's build() with Arch's CFLAGS ($((SECONDS - start)) s)"
makepkg_run package || { tail -30 "$T/package.log"; fail "the PKGBUILD's package()"; finish; }
pass "the PKGBUILD's package()"

# the PKGBUILD's own fields, read as makepkg reads them
# shellcheck source=../../packaging/arch/PKGBUILD
pkgfield() { (. "$startdir/PKGBUILD" && eval "printf '%s\n' \"\${$1[@]}\""); }
pkgname=$(pkgfield pkgname)
pkgver=$(pkgfield pkgver)
pkgrel=$(pkgfield pkgrel)
mapfile -t DEPENDS < <(pkgfield depends)
cmake_version=$(sed -n 's/^project(forksafe VERSION \([0-9.]*\).*/\1/p' "$SOURCE_DIR/CMakeLists.txt")
verify "pkgver is the project's version in CMakeLists.txt ($cmake_version)" [ "$pkgver" = "$cmake_version" ]
# shellcheck disable=SC1090,SC2317 # the PKGBUILD; called through verify
defines() { (. "$1" && declare -F "$2" >/dev/null); }
for f in check build package; do
	verify "the PKGBUILD defines $f()" defines "$startdir/PKGBUILD" "$f"
done

# what the package holds: what `cmake --install` installs from the same
# build, plus the licence
filelist() { (cd "$1" && find . \( -type f -o -type l \) ! -name '.*' -printf '%P\n' | LC_ALL=C sort); }
DESTDIR=$T/ref cmake --install "$srcdir/build" >"$T/ref.log" 2>&1 || { cat "$T/ref.log"; fail "cmake --install"; }
{ filelist "$T/ref"; echo "usr/share/licenses/$pkgname/LICENSE"; } | LC_ALL=C sort >"$T/want"
filelist "$pkgdir" >"$T/got"
verify "the package holds exactly what cmake --install installs, and the licence ($(wc -l <"$T/got") files)" \
	diff -u "$T/want" "$T/got"
hooks_want=$(cd "$SOURCE_DIR/hooks/pacman" && for h in *.hook.in; do echo "usr/share/libalpm/hooks/${h%.in}"; done)
# all_in LINES FILE : every line of LINES is a line of the sorted FILE
# shellcheck disable=SC2317 # called through verify
all_in() { ! comm -23 <(LC_ALL=C sort <<<"$1") "$2" | grep -q .; }
verify "  among them every alpm hook of hooks/pacman, where pacman reads them" all_in "$hooks_want" "$T/got"
verify "  and the program, at /usr/bin/forksafe" [ -x "$pkgdir/usr/bin/forksafe" ]
for h in "$pkgdir"/usr/share/libalpm/hooks/*.hook; do
	verify "  $(basename "$h") runs /usr/bin/forksafe" grep -qE '^Exec = /usr/bin/forksafe hook ' "$h"
done

# --- .PKGINFO, .MTREE, the archive -------------------------------------------------------
{
	echo "# Generated by tests/integration/test_package_arch.sh (as makepkg would)"
	echo "pkgname = $pkgname"
	echo "pkgbase = $pkgname"
	echo "pkgver = $pkgver-$pkgrel"
	echo "pkgdesc = $(pkgfield pkgdesc)"
	echo "builddate = $(date +%s)"
	echo "packager = forksafe tests"
	echo "size = $(($(du -sk --apparent-size "$pkgdir" | cut -f1) * 1024))"
	echo "arch = $(pkgfield arch)"
	pkgfield license | sed 's/^/license = /'
	printf 'depend = %s\n' "${DEPENDS[@]}"
	pkgfield makedepends | sed 's/^/makedepend = /'
	pkgfield checkdepends | sed 's/^/checkdepend = /'
} >"$pkgdir/.PKGINFO"
PKG=$T/$pkgname-$pkgver-$pkgrel-$(pkgfield arch).pkg.tar.zst
(
	cd "$pkgdir" &&
		LC_ALL=C bsdtar -czf .MTREE --format=mtree \
			--options='!all,use-set,type,uid,gid,mode,time,size,md5,sha256,link' .PKGINFO usr &&
		LC_ALL=C bsdtar -cf - .MTREE .PKGINFO usr | zstd -q -T0 -o "$PKG"
) || { fail "packing $PKG"; finish; }

# --- the scratch root and pacman on it ------------------------------------------------------
R=$T/root
S=$R/var/lib/forksafe
mkdir -p "$R/var/lib/pacman" "$R/var/cache/pacman/pkg" "$R/var/log" "$R/etc" "$R/proc" \
	"$R/usr/lib/x86_64-linux-gnu" "$R/usr/lib64" "$T/nohooks"
ln -s usr/lib "$R/lib"
ln -s usr/lib64 "$R/lib64"
printf '[options]\nArchitecture = auto\nSigLevel = Never\n' >"$T/pacman.conf"
# pac ARGS... : pacman on the root; hooks only from the root's own
# /usr/share/libalpm/hooks (the --hookdir given is empty); the host's
# libraries (for the packaged binary's dependencies) and /proc inside.
pac() {
	# shellcheck disable=SC2016 # expanded by the inner bash
	unshare -m bash -c '
		R=$1 CONF=$2 HOOKS=$3; shift 3
		mount --bind /proc "$R/proc" &&
		mount --bind /usr/lib/x86_64-linux-gnu "$R/usr/lib/x86_64-linux-gnu" &&
		mount --bind /usr/lib64 "$R/usr/lib64" || exit 99
		pacman --root "$R" --dbpath "$R/var/lib/pacman" --cachedir "$R/var/cache/pacman/pkg" \
			--logfile "$R/var/log/pacman.log" --hookdir "$HOOKS" --config "$CONF" \
			--noconfirm "$@"' bash "$R" "$T/pacman.conf" "$T/nohooks" "$@" 2>&1
}

# The dependencies as packages of their own (empty: the host's libraries
# are mounted in), so that pacman checks the package's depends.
STUBS=()
for d in "${DEPENDS[@]}"; do
	b=$T/stub-$d
	mkdir -p "$b"
	printf 'pkgname = %s\npkgbase = %s\npkgver = 1.0-1\npkgdesc = stub\nbuilddate = 1700000000\npackager = test\nsize = 0\narch = any\n' \
		"$d" "$d" >"$b/.PKGINFO"
	(cd "$b" && bsdtar -cf - .PKGINFO | zstd -q -o "$T/$d-1.0-1-any.pkg.tar.zst")
	STUBS+=("$T/$d-1.0-1-any.pkg.tar.zst")
done

out=$(pac -U "$PKG")
verify "pacman refuses the package while its depends are missing" has "$out" ".*could not satisfy dependencies.*"
out=$(pac -U "${STUBS[@]}")
expect_rc "pacman installs the dependencies (${DEPENDS[*]})" 0 $?
out=$(pac -U "$PKG")
expect_rc "pacman installs the package" 0 $?
verify "  and its own retire hook runs at the end of that transaction, from the root" \
	has "$out" ".*Retiring kept files, checking running processes \(forksafe\)\.\.\." \
	"forksafe: no replaced file needs keeping(; .*)?"
pacman --root "$R" --dbpath "$R/var/lib/pacman" -Qlq "$pkgname" 2>/dev/null |
	sed -n "s|^$R/||p" | grep -v '/$' | LC_ALL=C sort >"$T/installed"
verify "pacman's database lists exactly the package's files" diff -u "$T/got" "$T/installed"
# same_files LIST DIR1 DIR2 : every file of LIST is in both and the same
# shellcheck disable=SC2317 # called through verify
same_files() {
	local f
	while read -r f; do cmp -s "$2/$f" "$3/$f" || { echo "differs or missing: $f"; return 1; }; done <"$1"
}
verify "  and they are in the root as the package has them" same_files "$T/installed" "$pkgdir" "$R"
deps=$(pacman --root "$R" --dbpath "$R/var/lib/pacman" -Qi "$pkgname" 2>/dev/null | sed -n 's/^Depends On *: //p')
verify "  and its depends: $deps" [ "$(echo "$deps" | tr -s ' ' '\n' | LC_ALL=C sort)" = "$(printf '%s\n' "${DEPENDS[@]}" | LC_ALL=C sort)" ]

# --- the next transaction: an upgrade of a package whose file a process maps -------------------
mkpkg foo 1.0-1 "$TESTLIB"
mkpkg foo 2.0-1 "$TESTLIB2"
out=$(pac -U "$T/foo-1.0-1-any.pkg.tar.zst")
expect_rc "pacman installs foo 1.0" 0 $?
start_mapper "$T/ready1" "$R/usr/lib/fstest/libfoo.so"
M=$MAPPER_PID
out=$(pac -U "$T/foo-2.0-1-any.pkg.tar.zst")
expect_rc "pacman upgrades foo while a process maps its library" 0 $?
echo "$out" | grep -i forksafe
verify "the packaged guard hook ran and kept the file" has "$out" \
	".*Keeping in-use files for running processes \(forksafe\)\.\.\." \
	"forksafe: kept 1 in-use file for running processes(; 1 process could not be read)?"
verify "the packaged retire hook ran" has "$out" \
	"forksafe: 1 replaced file kept for running processes; 1 process runs replaced images \(forksafe report\)"
snap=$(cd "$S" 2>/dev/null && echo snap-*)
verify "the root's store has the snapshot, keeping the inode the process maps" \
	[ "$(stat -c %i "$S/$snap/files/usr/lib/fstest/libfoo.so" 2>/dev/null)" = "$(ino_in_maps "$M" "$R/usr/lib/fstest/libfoo.so")" ]
kill "$M"; wait "$M" 2>/dev/null
"$FORKSAFE" retire --store "$S" >/dev/null 2>&1

# --- removed, the package takes its hooks with it -----------------------------------------------
out=$(pac -R "$pkgname")
expect_rc "pacman removes the package" 0 $?
left=$(cd "$R" && while read -r f; do [ -e "$f" ] || [ -L "$f" ] && echo "$f"; done <"$T/installed")
verify "none of its files is left in the root" [ -z "$left" ]
start_mapper "$T/ready2" "$R/usr/lib/fstest/libfoo.so"
M=$MAPPER_PID
out=$(pac -U "$T/foo-1.0-1-any.pkg.tar.zst")
expect_rc "pacman downgrades foo while a process maps its library" 0 $?
# shellcheck disable=SC2317 # called through verify
lacks() { ! grep -qi "$2" <<<"$1"; }
verify "no forksafe hook runs any more" lacks "$out" forksafe
kill "$M"; wait "$M" 2>/dev/null
finish
