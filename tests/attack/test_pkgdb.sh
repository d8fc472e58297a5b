#!/usr/bin/env bash
# test_pkgdb.sh - CLASS: untrusted package databases under --root.  The
# root's files may come from anyone (here: fs-attacker builds the roots);
# forksafe reads them as root.  A FIFO where a database file belongs must
# not hang owner, report or the post-transaction hook (which does not read
# it: its line names no package); a dependency with
# 200 000 alternatives must not crash them; a sync db that decompresses to
# a gigabyte (zstd, gzip) must be refused early by plan, a package archive
# holding 2 GiB by inuse --archive; a corrupted
# pkgdb.solv cache must be rebuilt, never read (under ASan: no read out of
# bounds); owner and report must leave a root without a store byte-identical.
# Every refusal is one line; every command runs under `timeout` so a hang fails.
# shellcheck source-path=SCRIPTDIR
# shellcheck disable=SC2016 # the roots are built by sh -c scripts run as the attacker
. "$(dirname "$0")/../integration/lib.sh"

need_tools zstd gzip bsdtar python3 timeout
need_packages_feature
need_attacker
A=$T/a
mkdir "$A" && chown "$ATTACKER_UID:$ATTACKER_GID" "$A"
printf 'strict = no\n' >"$T/forksafe.conf"
LIMIT=30 # seconds: far above what any of these takes when it works

# run NAME CMD... : CMD under timeout; its exit status in RC, stdout in $T/NAME.out,
# stderr in $T/NAME.err.
run() {
	local name=$1
	shift
	timeout -k 5 "$LIMIT" "$@" >"$T/$name.out" 2>"$T/$name.err"
	RC=$?
}

# refused LABEL PATTERN : the last run exited 2 with one line matching PATTERN.
refused() {
	if [ "$RC" = 2 ] && [ "$(wc -l <"$T/$1.err")" = 1 ] && grep -qE -- "$2" "$T/$1.err"; then
		pass "$1: $(cat "$T/$1.err")"
	else
		fail "$1: exit $RC (124: timed out, >128: killed), stderr: $(head -c 300 "$T/$1.err")"
	fi
}

# hook_survives LABEL ROOT : the post-transaction hook on ROOT ends in time with exit 0.
hook_survives() {
	run "$1" "$FORKSAFE" hook post-transaction --root "$2" --store "$T/store-$1" --config "$T/forksafe.conf"
	if [ "$RC" = 0 ]; then pass "$1 (exit 0)"; else fail "$1: exit $RC: $(head -c 300 "$T/$1.err")"; fi
}

# dpkg_root DIR : an attacker-made dpkg root with one package 'foo'.
dpkg_root() {
	as_attacker sh -c 'mkdir -p "$1/var/lib/dpkg/info" "$1/usr/bin" && : >"$1/usr/bin/foo" &&
		printf "Package: foo\nStatus: install ok installed\nArchitecture: all\nVersion: 1\n\n" \
		>"$1/var/lib/dpkg/status"' sh "$1"
}

# pacman_root DIR : an attacker-made pacman root with one package 'foo'.
pacman_root() {
	as_attacker sh -c 'mkdir -p "$1/var/lib/pacman/local/foo-1-1" "$1/var/lib/pacman/sync" "$1/usr/bin" &&
		: >"$1/usr/bin/foo" && echo 9 >"$1/var/lib/pacman/local/ALPM_DB_VERSION" &&
		printf "%%NAME%%\nfoo\n\n%%VERSION%%\n1-1\n\n%%ARCH%%\nany\n\n" >"$1/var/lib/pacman/local/foo-1-1/desc" &&
		printf "%%FILES%%\nusr/\nusr/bin/\nusr/bin/foo\n\n" >"$1/var/lib/pacman/local/foo-1-1/files"' sh "$1"
}

# --- a FIFO where a file list belongs -------------------------------------------------
dpkg_root "$A/fifo-dpkg"
as_attacker mkfifo "$A/fifo-dpkg/var/lib/dpkg/info/foo.list"
run owner-fifo-list "$FORKSAFE" owner --root "$A/fifo-dpkg" --store "$T/s-fifo" /usr/bin/foo
refused owner-fifo-list "foo\.list: not a regular file"
run report-fifo-list "$FORKSAFE" report --root "$A/fifo-dpkg" --store "$T/s-fifo"
if [ "$RC" != 124 ] && [ "$RC" -lt 128 ]; then pass "report-fifo-list ends (exit $RC)"; else fail "report-fifo-list: exit $RC"; fi
verify "report-fifo-list says why packages are not named" \
	grep -q "warning: packages are not named: .*foo\.list: not a regular file" "$T/report-fifo-list.err"
hook_survives hook-fifo-list "$A/fifo-dpkg"
# the hook's line names no package: it does not read the database at all
verify "hook-fifo-list does not read the package database" \
	sh -c '! grep -q "packages are not named" "$1"' sh "$T/hook-fifo-list.err"

pacman_root "$A/fifo-pacman"
as_attacker sh -c 'rm "$1" && mkfifo "$1"' sh "$A/fifo-pacman/var/lib/pacman/local/foo-1-1/files"
run owner-fifo-files "$FORKSAFE" owner --root "$A/fifo-pacman" --store "$T/s-fifo2" /usr/bin/foo
refused owner-fifo-files "foo-1-1/files: not a regular file"
hook_survives hook-fifo-files "$A/fifo-pacman"

# --- 200 000 alternatives in one dependency (libsolvext parses them recursively) -------
dpkg_root "$A/alts"
as_attacker sh -c 'awk "BEGIN { printf \"Package: bar\\nStatus: install ok installed\\nArchitecture: all\\nVersion: 1\\nDepends: a0\"
	for (i = 1; i < 200000; i++) printf \" | a%d\", i; printf \"\\n\\n\" }" >>"$1"' sh "$A/alts/var/lib/dpkg/status"
run owner-alternatives "$FORKSAFE" owner --root "$A/alts" --store "$T/s-alts" /usr/bin/foo
refused owner-alternatives "var/lib/dpkg/status: line [0-9]+: more than [0-9]+ alternatives in one dependency"
hook_survives hook-alternatives "$A/alts"

# --- decompression bombs as sync databases --------------------------------------------
# 1 GiB of zeros; ulimit -f keeps an unbounded decoder from filling /tmp
pacman_root "$A/bomb-zstd"
as_attacker sh -c 'head -c 1G /dev/zero | zstd -q -c >"$1"' sh "$A/bomb-zstd/var/lib/pacman/sync/core.db"
run plan-zstd-bomb bash -c 'ulimit -f 524288 && exec "$@"' sh "$FORKSAFE" plan --root "$A/bomb-zstd" --store "$T/s-bomb" -u
refused plan-zstd-bomb "core\.db: decompresses to more than [0-9]+ (MiB|times its size)"
pacman_root "$A/bomb-gzip"
as_attacker sh -c 'head -c 512M /dev/zero | gzip -c >"$1"' sh "$A/bomb-gzip/var/lib/pacman/sync/extra.db"
run plan-gzip-bomb bash -c 'ulimit -f 524288 && exec "$@"' sh "$FORKSAFE" plan --root "$A/bomb-gzip" --store "$T/s-bomb" -u
refused plan-gzip-bomb "extra\.db: decompresses to more than [0-9]+ (MiB|times its size)"

# a sync db holding no package (1 KiB of zeros, gzip'ed): nothing to do, and
# no undefined behaviour on the way (UBSan: qsort of a null array)
pacman_root "$A/empty-sync"
as_attacker sh -c 'head -c 1024 /dev/zero | gzip -c >"$1"' sh "$A/empty-sync/var/lib/pacman/sync/core.db"
run plan-empty "$FORKSAFE" plan --root "$A/empty-sync" --store "$T/s-bomb" -u
# (exit 3: this machine has processes even root may not read)
if { [ "$RC" = 0 ] || [ "$RC" = 3 ]; } && ! grep -q "runtime error" "$T/plan-empty.err" &&
	grep -q "nothing to do" "$T/plan-empty.out"; then
	pass "plan-empty: nothing would change (exit $RC)"
else
	fail "plan-empty: exit $RC: $(head -c 300 "$T/plan-empty.err")"
fi

# a package archive whose one entry says (and holds) 2 GiB of zeros: refused before
# libarchive decompresses it to skip it
as_attacker sh -c 'mkdir "$1/big" && truncate -s 2G "$1/big/zeros" &&
	bsdtar --format ustar -cf - -C "$1/big" zeros | zstd -q -c >"$1/big.pkg.tar.zst" && rm -r "$1/big"' sh "$A"
run archive-bomb "$FORKSAFE" inuse --root "$A/bomb-zstd" --archive "$A/big.pkg.tar.zst"
refused archive-bomb "big\.pkg\.tar\.zst: decompresses to more than [0-9]+ MiB"

# --- a corrupted cache ----------------------------------------------------------------
pacman_root "$A/cache"
S=$T/s-cache
run cache-make "$FORKSAFE" owner --json --root "$A/cache" --store "$S" /usr/bin/foo
check "cache-make: owner builds the cache" "$(cat "$T/cache-make.out")" \
	"d['cached'] is False" "d['files'][0]['package'] == 'foo'"
cp "$S/pkgdb.solv" "$T/pristine.solv"
size=$(stat -c %s "$T/pristine.solv")
bad=0
for ((off = 0; off < size; off += 3)); do
	python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[int(sys.argv[2])] ^= 0x5a
open(sys.argv[3], "wb").write(b)' "$T/pristine.solv" "$off" "$S/pkgdb.solv"
	run cache-flip "$FORKSAFE" owner --json --root "$A/cache" --store "$S" /usr/bin/foo
	if [ "$RC" != 0 ] || ! printf '%s' "$(cat "$T/cache-flip.out")" |
		python3 "$CHECK_JSON" "d['cached'] is False" "d['files'][0]['package'] == 'foo'" >/dev/null 2>&1; then
		echo "byte $off flipped: exit $RC, $(head -c 200 "$T/cache-flip.out") $(head -c 300 "$T/cache-flip.err")"
		bad=$((bad + 1))
	fi
done
verify "cache-corrupt: each of $(((size + 2) / 3)) flipped caches is refused and rebuilt ($bad were not)" [ "$bad" = 0 ]
run cache-after "$FORKSAFE" owner --json --root "$A/cache" --store "$S" /usr/bin/foo
check "cache-after: the rebuilt cache is used again" "$(cat "$T/cache-after.out")" \
	"d['cached'] is True" "d['files'][0]['package'] == 'foo'"

# --- read-only commands leave a root without a store as it was (its store would be inside) --
pacman_root "$A/ro"
as_attacker sh -c 'mkdir -p "$1/var/lib/dpkg/info" && printf "Package: baz\nStatus: install ok installed\nArchitecture: all\nVersion: 2\n\n" \
	>"$1/var/lib/dpkg/status" && echo /usr/bin/foo >"$1/var/lib/dpkg/info/baz.list"' sh "$A/ro"
# moved out and owned by root, as root unpacks an image: the default store could be made in it
mv "$A/ro" "$T/ro" && chown -R 0:0 "$T/ro"
listing() { (cd "$T/ro" && find . -printf '%p %y %s %m %U %T@ %C@\n' | sort); }
before=$(listing)
run ro-owner "$FORKSAFE" owner --root "$T/ro" /usr/bin/foo
expect_rc "ro-owner: owner answers" 0 "$RC"
run ro-report "$FORKSAFE" report --root "$T/ro"
verify "ro-report: report ends (exit $RC)" test "$RC" = 0 -o "$RC" = 3
after=$(listing)
if [ "$before" = "$after" ]; then
	pass "ro-unchanged: owner and report left the root as it was"
else
	fail "ro-unchanged: the root changed: $(diff <(echo "$before") <(echo "$after") | head -5 | tr '\n' ' ')"
fi

finish
