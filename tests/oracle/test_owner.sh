#!/usr/bin/env bash
# test_owner.sh - CLASS: owner against dpkg -S and dpkg-divert (item 4 and 7 of
# issue 12).  forksafe owner must name exactly the packages dpkg -S names, on
#  1. this machine's own dpkg database: a deterministic sample of a few hundred
#     listed paths (every Nth line of dpkg -L of a fixed set of packages and of
#     every 40th installed one), every symbolic link among those packages'
#     files (the link is the package's that ships it, not its target's), the
#     directories among them (every package listing one), every diversion of
#     dpkg-divert --list and the paths' usrmerge aliases;
#  2. a scratch dpkg root (dpkg -S --admindir as the oracle) with a diversion
#     by a package, a local diversion, a shared directory, a symlink and a
#     top-level /bin -> usr/bin link.
# Where forksafe knows better, the expected answer is derived from dpkg's and
# said so: a path is found under either usrmerge name (dpkg -S answers only for
# the name its lists spell), and across a diversion the file at the diverted
# path is the diverting package's alone while the file at the diversion's
# target is the other packages' (dpkg -S lists every package naming the path
# and prints the diversion beside it).  The real dpkg database is only read.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/../integration/lib.sh"

need_tools dpkg dpkg-query dpkg-divert python3
need_packages_feature

# compare ORACLE_OUT DIVERSIONS ALIASES FORKSAFE_JSON ASKED : the python below;
# prints one line per disagreement and "checked N paths" last.
compare() {
	python3 - "$@" <<'EOF'
import json, sys

oracle_out, divfile, aliasfile, fsjson, askedfile = sys.argv[1:6]

def strip_arch(p):
    return p.split(':')[0]

# dpkg -S output: "pkg1, pkg2:arch: /path" lines; diversion lines left out
dpkg = {}
for line in open(oracle_out, encoding='utf-8', errors='surrogateescape'):
    line = line.rstrip('\n')
    if line.startswith('diversion by ') or line.startswith('local diversion '):
        continue
    pkgs, sep, path = line.partition(': /')
    if not sep:
        continue
    dpkg['/' + path] = {strip_arch(p) for p in pkgs.split(', ')}

# dpkg-divert --list: "diversion of A to B by P" / "local diversion of A to B"
divs = {}
for line in open(divfile):
    w = line.split()
    if line.startswith('local diversion of '):
        frm, to, by = w[3], w[5], None
    elif line.startswith('diversion of '):
        frm, to, by = w[2], w[4], w[6]
    else:
        continue
    divs.setdefault(frm, ('from', frm, to, by))
    divs.setdefault(to, ('to', frm, to, by))

# top-level symlinks of the root: "/bin /usr/bin" lines
aliases = [l.split() for l in open(aliasfile) if l.strip()]

def names(path):
    canon = path
    for frm, to in aliases:
        if path.startswith(frm + '/'):
            canon = to + path[len(frm):]
            break
    out = {path, canon}
    for frm, to in aliases:
        if canon.startswith(to + '/'):
            out.add(frm + canon[len(to):])
    return out

def listed(path):
    # usrmerge: forksafe knows better, a file is found under either name
    got = set()
    for n in names(path):
        got |= dpkg.get(n, set())
    return got

def divert(path):
    for n in sorted(names(path)):
        if n in divs:
            return divs[n]
    return None

def expected(path):
    d = divert(path)
    if d is None:
        return listed(path)
    side, frm, to, by = d
    if side == 'from':
        # the file at the diverted path is the diverter's (dpkg -S lists all)
        return listed(path) & ({by} if by else set())
    # the file at the target is the others' (dpkg -S names only the diversion)
    return listed(path) | (listed(frm) - ({by} if by else set()))

doc = json.load(open(fsjson))
bad = 0
for f in doc['files']:
    want = expected(f['request'])
    got = {p['name'] for p in f.get('packages', [])} if 'packages' in f else \
          ({f['package']} if f['package'] else set())
    problems = []
    if got != want:
        problems.append('forksafe %s, want %s' % (sorted(got), sorted(want)))
    d = divert(f['request'])
    fd = f.get('diversion')
    if d and (not fd or (fd['path_is'], fd['from'], fd['to'], fd['by']) != d):
        problems.append('diversion %s, want %s' % (fd, d))
    if not d and fd:
        problems.append('diversion %s, want none' % fd)
    if problems:
        bad += 1
        if bad <= 15:
            print('  %s: %s' % (f['request'], '; '.join(problems)))
for s in doc['skipped']:
    bad += 1
    print('  %s: skipped: %s' % (s['request'], s['problem']))
# every path asked is answered or skipped: a dropped request is a disagreement
asked = {l.rstrip('\n') for l in open(askedfile, encoding='utf-8', errors='surrogateescape')
         if l.strip()}
answered = {f['request'] for f in doc['files']} | {s['request'] for s in doc['skipped']}
if not asked or answered != asked:
    bad += 1
    print('  %d paths asked, %d answered; unanswered: %s' %
          (len(asked), len(answered), sorted(asked - answered)[:5]))
if bad > 15:
    print('  ... %d paths disagree in all' % bad)
print('checked %d paths' % len(doc['files']))
sys.exit(1 if bad else 0)
EOF
}

# aliases_of ROOT : its top-level symlinks to directories, "/bin /usr/bin".
aliases_of() {
	local l
	for l in "$1"/*; do
		if [ ! -L "$l" ] || [ ! -d "$l" ]; then continue; fi
		printf '/%s /%s\n' "${l##*/}" "$(readlink "$l" | sed 's,^/*,,; s,/*$,,')"
	done
}

# oracle NAME ROOT PATHS DPKG_ARGS... : forksafe owner vs dpkg -S on PATHS.
oracle() {
	local name=$1 root=$2 paths=$3 out rc
	shift 3
	aliases_of "$root" >"$T/$name.aliases"
	# dpkg -S is asked about every name of a path (usrmerge): the union is wanted
	awk 'NR == FNR { from[NR] = $1; to[NR] = $2; n = NR; next }
	     { print; c = $0
	       for (i = 1; i <= n; i++) if (index(c, from[i] "/") == 1) { c = to[i] substr(c, length(from[i]) + 1); break }
	       print c
	       for (i = 1; i <= n; i++) if (index(c, to[i] "/") == 1) print from[i] substr(c, length(to[i]) + 1) }' \
		"$T/$name.aliases" "$paths" | LC_ALL=C sort -u >"$T/$name.names"
	# shellcheck disable=SC2046 # the paths have no white space
	dpkg "$@" -S -- $(cat "$T/$name.names") >"$T/$name.dpkg" 2>/dev/null
	dpkg-divert "$@" --list >"$T/$name.divs"
	"$FORKSAFE" owner --json --root "$root" --store "$T/store-$name" --stdin \
		<"$paths" >"$T/$name.json"
	rc=$?
	[ "$rc" = 0 ] || [ "$rc" = 1 ] || { fail "$name: forksafe owner exit $rc"; return; }
	out=$(compare "$T/$name.dpkg" "$T/$name.divs" "$T/$name.aliases" "$T/$name.json" "$paths")
	rc=$?
	echo "$out"
	if [ "$rc" = 0 ]; then pass "$name: owner agrees with dpkg -S"
	else fail "$name: owner disagrees with dpkg -S"; fi
}

# --- 1. this machine ----------------------------------------------------------------------------
dpkg-query -W -f '${db:Status-Abbrev} ${Package}\n' | awk '$1 == "ii" { print $2 }' |
	LC_ALL=C sort -u >"$T/installed"
{
	for p in coreutils dash bash libc6 python3-minimal dpkg perl-base util-linux base-files \
		postgresql-common libpq-dev linux-perf vim-runtime; do
		grep -qx "$p" "$T/installed" && echo "$p"
	done
	awk 'NR % 40 == 1' "$T/installed"
} | LC_ALL=C sort -u >"$T/sample-pkgs"
# dpkg -S takes a path with white space or * ? [ \ as a pattern: those are left out
# shellcheck disable=SC2046 # package names are single words
dpkg -L $(cat "$T/sample-pkgs") 2>/dev/null | grep '^/.' | grep -v '[[:space:]*?[\]' |
	LC_ALL=C sort -u >"$T/listed"
n=$(wc -l <"$T/listed")
step=$(( n / 300 + 1 ))
{
	awk -v s="$step" 'NR % s == 0' "$T/listed"
	while IFS= read -r f; do [ -L "$f" ] && echo "$f"; done <"$T/listed"
	while IFS= read -r f; do [ -d "$f" ] && [ ! -L "$f" ] && echo "$f"; done <"$T/listed" |
		awk 'NR % 30 == 0'
	dpkg-divert --list | sed -n 's/.* of \([^ ]*\) to \([^ ]*\).*/\1\n\2/p'
	awk -v s="$((step * 7))" 'NR % s == 0' "$T/listed" |
		sed -n 's,^/usr/\(bin\|sbin\|lib\)/,/\1/,p; s,^/\(bin\|sbin\|lib\)/,/usr/\1/,p'
} | grep '^/' | LC_ALL=C sort -u >"$T/paths"
echo "this machine: $(wc -l <"$T/sample-pkgs") packages, $n listed paths, $(wc -l <"$T/paths") asked," \
	"$(dpkg-divert --list | wc -l) diversions"
[ "$(wc -l <"$T/paths")" -ge 200 ] || fail "the sample has fewer than 200 paths"
oracle host / "$T/paths"

# --- 2. a scratch dpkg root -----------------------------------------------------------------------
D=$T/deb
A=$D/var/lib/dpkg
mkdir -p "$A/info" "$A/updates" "$D/usr/bin" "$D/usr/share/doc/shared" "$D/etc"
ln -s usr/bin "$D/bin"
stanza() { # NAME : an installed package
	printf 'Package: %s\nStatus: install ok installed\nPriority: optional\nSection: misc\n' "$1"
	printf 'Maintainer: nobody <n@example.org>\nArchitecture: all\nVersion: 1.0-1\n'
	printf 'Description: test\n test\n\n'
}
for p in tool wrapper alt other; do stanza "$p"; done >"$A/status"
printf '/.\n/bin\n/bin/tool\n/usr\n/usr/bin\n/usr/bin/tool-link\n/usr/share\n/usr/share/doc\n/usr/share/doc/shared\n' \
	>"$A/info/tool.list"
printf '/.\n/bin\n/bin/tool\n/usr\n/usr/bin\n/usr/share\n/usr/share/doc\n/usr/share/doc/shared\n' \
	>"$A/info/wrapper.list"
printf '/.\n/usr\n/usr/bin\n/usr/bin/local-thing\n/usr/bin/tool-real\n/usr/share\n/usr/share/doc\n/usr/share/doc/shared\n' \
	>"$A/info/alt.list"
printf '/.\n/etc\n/etc/other.conf\n' >"$A/info/other.list"
# wrapper diverts tool's /bin/tool; the admin diverted alt's local-thing
printf '/bin/tool\n/bin/tool.real\nwrapper\n/usr/bin/local-thing\n/usr/bin/local-thing.orig\n:\n' \
	>"$A/diversions"
touch "$D/usr/bin/tool" "$D/usr/bin/tool.real" "$D/usr/bin/tool-real" "$D/usr/bin/local-thing" \
	"$D/usr/bin/local-thing.orig" "$D/etc/other.conf"
ln -s tool-real "$D/usr/bin/tool-link"
printf '%s\n' /bin/tool /usr/bin/tool /bin/tool.real /usr/bin/tool.real /usr/bin/tool-link \
	/bin/tool-link /usr/bin/tool-real /usr/bin/local-thing /usr/bin/local-thing.orig \
	/usr/share/doc/shared /usr/bin /bin /etc/other.conf /etc >"$T/deb-paths"
oracle scratch "$D" "$T/deb-paths" --admindir="$A"

out=$("$FORKSAFE" owner --root "$D" --store "$T/store-scratch" /bin/tool /bin/tool.real \
	/usr/bin/local-thing /usr/bin/tool-link /usr/share/doc/shared)
verify "owner for people: diversions, the link itself, every owner of a directory" has "$out" \
	"/usr/bin/tool is owned by wrapper 1.0-1 \(diverted by wrapper to /bin/tool.real\)" \
	"/usr/bin/tool.real is owned by tool 1.0-1 \(diverted by wrapper from /bin/tool\)" \
	"/usr/bin/local-thing is owned by no package \(a local diversion to /usr/bin/local-thing.orig\)" \
	"/usr/bin/tool-link is owned by tool 1.0-1" \
	"/usr/share/doc/shared is owned by alt 1.0-1, tool 1.0-1, wrapper 1.0-1"
out=$("$FORKSAFE" owner --json --root "$D" --store "$T/store-scratch" /usr/bin/tool-link /bin/tool.real)
check "owner --json: the link's path, what it resolves to, packages[], diversion" "$out" \
	"d['files'][0]['path'] == '/usr/bin/tool-link'" \
	"d['files'][0]['resolves_to'] == '/usr/bin/tool-real'" \
	"d['files'][0]['packages'] == [{'name': 'tool', 'version': '1.0-1'}]" \
	"d['files'][0]['diversion'] is None" \
	"d['files'][1]['diversion'] == {'by': 'wrapper', 'from': '/bin/tool', 'to': '/bin/tool.real', 'path_is': 'to'}"

# a diversions file is read as every database file: a FIFO is refused, not waited on
rm "$A/diversions"
mkfifo "$A/diversions"
out=$(timeout 10 "$FORKSAFE" owner --root "$D" /bin/tool 2>&1)
expect_rc "owner with a FIFO for the diversions file" 2 $?
verify "  one line saying so" has "$out" "forksafe owner: $A/diversions: not a regular file"
rm "$A/diversions"
ln -s /dev/zero "$A/diversions"
out=$(timeout 10 "$FORKSAFE" owner --root "$D" /bin/tool 2>&1)
expect_rc "owner with a symlink for the diversions file" 2 $?
verify "  one line saying so" has "$out" \
	"forksafe owner: $A/diversions: a symbolic link, not a regular file"
rm "$A/diversions"
printf '/bin/tool\n/bin/tool.real\n' >"$A/diversions"
out=$("$FORKSAFE" owner --root "$D" /bin/tool 2>&1)
expect_rc "owner with a diversion cut short" 2 $?
verify "  one line saying so" has "$out" "forksafe owner: $A/diversions: line 2: the file ends inside a diversion"
awk 'BEGIN { for (i = 0; i <= 100000; i++) printf "/d/%d\n/d/%d.x\n:\n", i, i }' >"$A/diversions"
out=$("$FORKSAFE" owner --root "$D" /bin/tool 2>&1)
expect_rc "owner with 100 001 diversions" 2 $?
verify "  one line saying so" has "$out" "forksafe owner: $A/diversions: more than 100000 diversions"

finish
