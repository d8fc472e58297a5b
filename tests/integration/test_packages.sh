#!/usr/bin/env bash
# test_packages.sh - the package layer on scratch roots with real package
# databases: pacman's local db (made by real pacman) and sync dbs (zstd and
# gzip), a dpkg status with file lists; owner and its .solv cache,
# inuse/guard --package and --archive, plan, and package names in ps.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

need_tools pacman bsdtar zstd gzip xz
need_packages_feature

R=$T/root
S=$T/store
mkdir -p "$R/var/lib/pacman/sync" "$R/var/cache/pacman/pkg" "$R/var/log" "$T/nohooks"
ln -s usr/lib "$R/lib"
printf '[options]\nArchitecture = auto\nSigLevel = Never\n' >"$T/pacman.conf"

# syncentry DIR NAME VERSION [DEPENDS] : one package's desc in a sync db tree.
syncentry() {
	mkdir -p "$1/$2-$3"
	printf '%%FILENAME%%\n%s-%s-any.pkg.tar.zst\n\n%%NAME%%\n%s\n\n%%VERSION%%\n%s\n\n%%ARCH%%\nany\n\n' \
		"$2" "$3" "$2" "$3" >"$1/$2-$3/desc"
	[ -n "${4:-}" ] && printf '%%DEPENDS%%\n%s\n\n' "$4" >>"$1/$2-$3/desc"
	return 0
}

# shellcheck disable=SC2317 # called through verify
pac() {
	pacman --root "$R" --dbpath "$R/var/lib/pacman" --cachedir "$R/var/cache/pacman/pkg" \
		--logfile "$R/var/log/pacman.log" --hookdir "$T/nohooks" --config "$T/pacman.conf" \
		--noconfirm "$@" >/dev/null 2>&1
}

mkpkg foo 1.0-1 "$TESTLIB"
mkpkg foo 2.0-1 "$TESTLIB2"
mkpkg bar 1.0-1 "$TESTLIB"
verify "pacman installs foo 1.0 into the scratch root" pac -U "$T/foo-1.0-1-any.pkg.tar.zst"

verify "--version names the package feature" has "$("$FORKSAFE" --version)" ".*features: packages.*"

# --- owner and its cache ------------------------------------------------------------------------
out=$("$FORKSAFE" owner --json --root "$R" --store "$S" /usr/lib/fstest/libfoo.so /var/log/pacman.log /nonexistent)
expect_rc "owner: some file has no owner" 1 $?
check "owner from pacman's local db" "$out" \
	"d['database'] == 'pacman'" "d['cached'] is False" \
	"[(f['path'], f['package'], f['version']) for f in d['files']] == [('/usr/lib/fstest/libfoo.so', 'foo', '1.0-1'), ('/var/log/pacman.log', None, None), ('/nonexistent', None, None)]" \
	"[f['exists'] for f in d['files']] == [True, True, False]"
verify "  the loaded database is cached in the store" [ -s "$S/pkgdb.solv" ]
out=$("$FORKSAFE" owner --json --root "$R" --store "$S" /lib/fstest/libfoo.so opt/fstest/foo-plugin.so)
expect_rc "owner: every file owned" 0 $?
check "owner from the cache, through the root's /lib -> usr/lib symlink" "$out" \
	"d['cached'] is True" "[f['package'] for f in d['files']] == ['foo', 'foo']"
verify "pacman installs bar" pac -U "$T/bar-1.0-1-any.pkg.tar.zst"
out=$("$FORKSAFE" owner --json --root "$R" --store "$S" /usr/lib/fstest/libbar.so)
check "a changed database makes the cache stale" "$out" \
	"d['cached'] is False" "d['files'][0]['package'] == 'bar'"
out=$("$FORKSAFE" owner --root "$R" --store "$S" /usr/lib/fstest/libbar.so /var/log /etc/x)
verify "owner for people" has "$out" "/usr/lib/fstest/libbar.so is owned by bar 1.0-1" \
	"/var/log is owned by no package" "/etc/x does not exist"
printf 'garbage' >"$S/pkgdb.solv"
out=$("$FORKSAFE" owner --json --root "$R" --store "$S" /usr/lib/fstest/libbar.so)
check "a corrupt cache is read around, not trusted" "$out" \
	"d['cached'] is False" "d['files'][0]['package'] == 'bar'"
mkdir "$T/nowhere"
out=$("$FORKSAFE" owner --root "$T/nowhere" /x 2>&1)
expect_rc "owner without a database" 2 $?
verify "  one line saying so" has "$out" "forksafe owner: no package database in .*"

# the binary alone, without its loader module beside it: the cache is all it needs
mkdir "$T/alone" && cp "$FORKSAFE" "$T/alone/forksafe"
"$FORKSAFE" owner --root "$R" --store "$S" /usr/lib/fstest/libbar.so >/dev/null
out=$("$T/alone/forksafe" owner --json --root "$R" --store "$S" /usr/lib/fstest/libbar.so)
check "without the loader module, owner answers from the cache" "$out" \
	"d['cached'] is True" "d['files'][0]['package'] == 'bar'"
if [ ! -e "$LOADERS_INSTALLED" ]; then
	out=$("$T/alone/forksafe" owner --root "$R" --store "$T/store-alone" /usr/lib/fstest/libbar.so 2>&1)
	expect_rc "without the module and without a cache, owner cannot answer" 2 $?
	verify "  one line saying so" has "$out" "forksafe owner: cannot load the package loaders: .*"
fi

# a dpkg root: libsolvext reads the status, the .list files give the file lists
D=$T/deb
mkdir -p "$D/var/lib/dpkg/info" "$D/usr/lib/x86_64-linux-gnu"
printf 'Package: libdemo\nStatus: install ok installed\nArchitecture: amd64\nMulti-Arch: same\nVersion: 2.1-3\n\nPackage: tool\nStatus: install ok installed\nArchitecture: all\nVersion: 0.9\n\n' \
	>"$D/var/lib/dpkg/status"
printf '/.\n/usr\n/usr/lib\n/usr/lib/x86_64-linux-gnu/libdemo.so.2\n' >"$D/var/lib/dpkg/info/libdemo:amd64.list"
printf '/.\n/usr/bin/tool\n' >"$D/var/lib/dpkg/info/tool.list"
out=$("$FORKSAFE" owner --json --root "$D" --store "$T/debstore" /usr/lib/x86_64-linux-gnu/libdemo.so.2 /usr/bin/tool)
check "owner from dpkg's status and .list files (multiarch and not)" "$out" \
	"d['database'] == 'dpkg'" \
	"[(f['package'], f['version']) for f in d['files']] == [('libdemo', '2.1-3'), ('tool', '0.9')]"

# --- owner as pacman -Qo answers it: a symlink is its package's, a directory every package's -----
Q=$T/qo
mkdir -p "$Q/var/lib/pacman" "$Q/var/cache/pacman/pkg" "$Q/var/log"
ln -s usr/lib "$Q/lib"
for p in linker real; do
	mkdir -p "$T/build-$p/usr/bin" "$T/build-$p/usr/lib/fstest"
	printf 'pkgname = %s\npkgbase = %s\npkgver = 1.0-1\npkgdesc = test\nbuilddate = 1700000000\npackager = test\nsize = 1\narch = any\nlicense = MIT\n' \
		"$p" "$p" >"$T/build-$p/.PKGINFO"
done
ln -s tool-real "$T/build-linker/usr/bin/tool-link"
echo x >"$T/build-linker/usr/lib/fstest/l.so"
echo y >"$T/build-real/usr/bin/tool-real"
for p in linker real; do
	(cd "$T/build-$p" && bsdtar -cf - .PKGINFO usr | zstd -q -o "$T/$p-1.0-1-any.pkg.tar.zst")
done
verify "pacman installs a package with a symlink, and another sharing its directories" \
	pacman --root "$Q" --dbpath "$Q/var/lib/pacman" --cachedir "$Q/var/cache/pacman/pkg" \
	--logfile "$Q/var/log/pacman.log" --hookdir "$T/nohooks" --config "$T/pacman.conf" \
	--noconfirm -U "$T/linker-1.0-1-any.pkg.tar.zst" "$T/real-1.0-1-any.pkg.tar.zst" >/dev/null 2>&1
for q in /usr/bin/tool-link /usr/bin/tool-real /usr/lib/fstest /lib/fstest /lib/fstest/l.so /usr/bin /lib \
	/usr/lib/fstest/ /usr/bin/; do
	want=$(pacman --root "$Q" --dbpath "$Q/var/lib/pacman" --config "$T/pacman.conf" -Qo "$Q$q" 2>/dev/null |
		sed -n 's/.* is owned by //p' | LC_ALL=C sort | paste -sd, -)
	got=$("$FORKSAFE" owner --json --root "$Q" --store "$T/qostore" "$q" |
		python3 -c 'import json, sys; f = json.load(sys.stdin)["files"][0]
old = [{"name": f["package"], "version": f["version"]}] if f["package"] else []
print(",".join(sorted("%s %s" % (p["name"], p["version"]) for p in f.get("packages", old))))')
	if [ "$got" = "$want" ]; then pass "owner $q as pacman -Qo: ${want:-no package}"
	else fail "owner $q: '$got', pacman -Qo: '$want'"; fi
done

# --- targets from packages and from package archives --------------------------------------------
start_mapper "$T/ready1" "$R/usr/lib/fstest/libfoo.so"
M=$MAPPER_PID
out=$("$FORKSAFE" inuse --json --root "$R" --package foo 2>/dev/null)
expect_rc "inuse --package: in use" 1 $?
check "  the package's files, no directories, and who maps them" "$out" \
	"sorted(f['path'] for f in d['files']) == ['/opt/fstest/foo-plugin.so', '/usr/lib/fstest/libfoo.so']" \
	"[p['pid'] for f in d['files'] if f['path'] == '/usr/lib/fstest/libfoo.so' for p in f['processes']] == [$M]"
out=$("$FORKSAFE" inuse --root "$R" --package nosuch 2>&1)
expect_rc "inuse --package of a package not installed" 2 $?
verify "  one line" has "$out" "forksafe inuse: package 'nosuch' is not installed"

# the same package as pacman (.pkg.tar.zst, .pkg.tar.xz) and Cygwin (.tar.xz, .tar.zst) ship it
(cd "$T/build-foo-2.0-1" && bsdtar -cJf "$T/foo-2.0-1-any.pkg.tar.xz" .PKGINFO usr opt &&
	bsdtar -cJf "$T/foo-cygwin.tar.xz" usr opt && bsdtar -cf - usr opt | zstd -q -o "$T/foo-cygwin.tar.zst")
for a in foo-2.0-1-any.pkg.tar.zst foo-2.0-1-any.pkg.tar.xz foo-cygwin.tar.xz foo-cygwin.tar.zst; do
	out=$("$FORKSAFE" inuse --json --root "$R" --archive "$T/$a" 2>/dev/null)
	expect_rc "inuse --archive $a: in use" 1 $?
	check "  its files, without pacman's metadata" "$out" \
		"sorted(f['request'] for f in d['files']) == ['opt/fstest/foo-plugin.so', 'usr/lib/fstest/libfoo.so']" \
		"[f['path'] for f in d['files'] if f['processes']] == ['/usr/lib/fstest/libfoo.so']"
done
out=$("$FORKSAFE" inuse --root "$R" --archive "$T/pacman.conf" 2>&1)
expect_rc "inuse --archive of something else" 2 $?
verify "  one line" has "$out" "forksafe inuse: .*/pacman.conf: not a readable package archive .*"
head -c 300 "$T/foo-2.0-1-any.pkg.tar.xz" >"$T/cut.pkg.tar.xz"
out=$("$FORKSAFE" inuse --root "$R" --archive "$T/cut.pkg.tar.xz" 2>&1)
expect_rc "inuse --archive of a truncated archive" 2 $?
verify "  one line" [ "$(printf '%s\n' "$out" | wc -l)" = 1 ]
"$FORKSAFE" inuse --package --archive x >/dev/null 2>&1
expect_rc "--package and --archive together" 2 $?

out=$("$FORKSAFE" guard --json --root "$R" --store "$S" --archive "$T/foo-2.0-1-any.pkg.tar.zst" 2>/dev/null)
expect_rc "guard --archive" 0 $?
check "  keeps the in-use file the archive would replace" "$out" \
	"[e['path'] for e in d['kept']] == ['/usr/lib/fstest/libfoo.so']"
out=$("$FORKSAFE" status --json --store "$S" --root "$R" 2>/dev/null)
check "status names the package of the kept file" "$out" \
	"[e['package'] for s in d['snapshots'] for e in s['entries']] == ['foo']"
"$FORKSAFE" retire --post-transaction --store "$S" >/dev/null 2>&1

# --- plan: the solver on the local and sync databases -------------------------------------------
syncentry "$T/core" foo 2.0-1
syncentry "$T/extra" baz 1.0-1 "foo>=2"
(cd "$T/core" && bsdtar -cf - ./* | zstd -q -o "$R/var/lib/pacman/sync/core.db")
(cd "$T/extra" && bsdtar -cf - ./* | gzip -c >"$R/var/lib/pacman/sync/extra.files")
# REPO.files is read only where there is no REPO.db: this one must be ignored
printf 'not a database' >"$R/var/lib/pacman/sync/core.files"
out=$("$FORKSAFE" plan --json --root "$R" --store "$S" -u 2>/dev/null)
expect_rc "plan -u: a running process is affected" 1 $?
check "  foo would be upgraded, its mapped file is in use by the mapper" "$out" \
	"d['sync_databases'] == 2" "d['processes_affected'] == 1" \
	"[(p['name'], p['action'], p['old_version'], p['new_version']) for p in d['packages']] == [('foo', 'upgrade', '1.0-1', '2.0-1')]" \
	"[(f['path'], [q['pid'] for q in f['processes']]) for f in d['packages'][0]['files_in_use']] == [('/usr/lib/fstest/libfoo.so', [$M])]"
out=$("$FORKSAFE" plan --json --root "$R" --store "$S" baz 2>/dev/null)
check "plan PKG: a new package pulls an upgrade of its dependency" "$out" \
	"[(p['name'], p['action']) for p in d['packages']] == [('baz', 'install'), ('foo', 'upgrade')]"
out=$("$FORKSAFE" plan --root "$R" --store "$S" -u 2>/dev/null)
verify "plan for people" has "$out" \
	"forksafe: 1 package would change; 1 running process would be affected" \
	"  upgrade foo 1.0-1 -> 2.0-1: 1 file in use" \
	"      /usr/lib/fstest/libfoo.so: $M mapper"
out=$("$FORKSAFE" plan --root "$R" --store "$S" nosuch 2>&1)
expect_rc "plan of an unknown package" 2 $?
verify "  one line" has "$out" "forksafe plan: package 'nosuch' is in no sync database"
"$FORKSAFE" plan --root "$R" >/dev/null 2>&1
expect_rc "plan with nothing to plan" 2 $?
head -c 20 "$R/var/lib/pacman/sync/core.db" >"$T/cut" && cp "$T/cut" "$R/var/lib/pacman/sync/core.db"
out=$("$FORKSAFE" plan --root "$R" --store "$S" -u 2>&1)
expect_rc "plan with a truncated zstd sync db" 2 $?
verify "  one line" has "$out" "forksafe plan: core.db: truncated zstd data"
out=$("$FORKSAFE" plan --root "$D" --store "$T/debstore" -u 2>&1)
expect_rc "plan on a dpkg root" 2 $?
verify "  one line" has "$out" "forksafe plan: plan reads pacman's databases; .* has only dpkg's"
kill "$M"; wait "$M" 2>/dev/null

# --- report: replaced images by package, and a replaced libc means restart ---------------------
cp "$TESTLIB" "$R/usr/lib/fstest/libc.so.6"
start_mapper "$T/ready2" "$R/usr/lib/fstest/libfoo.so" "$R/usr/lib/fstest/libc.so.6"
M=$MAPPER_PID
out=$("$FORKSAFE" report --json --root "$R" --store "$S" 2>/dev/null)
check "report: nothing replaced yet" "$out" "d['processes_affected'] == 0"
replace_like_pm "$R/usr/lib/fstest/libfoo.so" "$TESTLIB2"
replace_like_pm "$R/usr/lib/fstest/libc.so.6" "$TESTLIB2"
out=$("$FORKSAFE" report --json --root "$R" --store "$S" 2>/dev/null)
expect_rc "report: a process runs replaced images" 1 $?
check "  grouped by package (libc.so.6 here belongs to none), the libc user must restart" "$out" \
	"[(p['package'], [q['pid'] for q in p['processes']]) for p in d['packages']] == [('foo', [$M]), (None, [$M])]" \
	"[(q['pid'], [i['path'] for i in q['images']]) for q in d['must_restart']] == [($M, ['$R/usr/lib/fstest/libc.so.6'])]" \
	"all(i['snapshot'] is None and i['deleted'] for p in d['packages'] for q in p['processes'] for i in q['images'])"
out=$("$FORKSAFE" report --root "$R" --store "$S" 2>/dev/null)
verify "report for people" has "$out" "forksafe: 1 process runs replaced or removed images" \
	"  foo:" "  \(no package\):" "must restart .*" \
	"        $R/usr/lib/fstest/libc.so.6 \(old file deleted\)"
kill "$M"; wait "$M" 2>/dev/null

# --- package names in ps (this machine's own database, when it has one) -------------------------
exe=$(readlink -f /proc/$$/exe)
# dpkg may list it under its pre-usrmerge name (/bin/bash for /usr/bin/bash)
if [ -f /var/lib/dpkg/status ] &&
	owner=$(dpkg-query -S "$exe" 2>/dev/null || dpkg-query -S "${exe#/usr}" 2>/dev/null); then
	out=$("$FORKSAFE" ps --json 2>/dev/null)
	check "ps names the package of this shell's executable (${owner%%:*})" "$out" \
		"[i['package'] for p in d['processes'] if p['pid'] == $$ for i in p['images'] if i['path'] == '$exe'] == ['${owner%%:*}']"
else
	echo "skipped: ps package names (this machine's shell belongs to no dpkg package)"
fi
finish
