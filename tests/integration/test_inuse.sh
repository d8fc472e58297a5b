#!/usr/bin/env bash
# test_inuse.sh - `forksafe inuse` against a real process that dlopen()s
# libraries with awkward names, one of them unlinked after loading.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

NL=$'new\nline.so'
UTF=$'caf\xc3\xa9-\xe2\x82\xac.so'
for n in plain.so "with space.so" "$NL" "$UTF" unlinked.so unused.so; do
	cp "$TESTLIB" "$T/$n"
done
ln "$T/unlinked.so" "$T/kept.so"          # a second name for the same file
ln -s plain.so "$T/link.so"
mkdir "$T/sub"

start_mapper "$T/ready" "$T/plain.so" "$T/with space.so" "$T/$NL" "$T/$UTF" "$T/unlinked.so"
rm "$T/unlinked.so"
M=$MAPPER_PID

# --- arguments, JSON -------------------------------------------------------
out=$("$FORKSAFE" inuse --json "$T/plain.so" "$T/with space.so" "$T/$NL" "$T/$UTF" \
	"$T/kept.so" "$T/unused.so" "$T/missing.so" "$T/link.so")
rc=$?
expect_rc "inuse with targets in use" 1 "$rc"
check "inuse JSON: attribution per file" "$out" \
	'd["schema"] == 1' 'd["root"] == "/"' \
	'isinstance(d["complete"], bool) and isinstance(d["unreadable_processes"], int)' \
	'd["complete"] == (d["unreadable_processes"] == 0)' \
	'len(d["files"]) == 8' \
	"pids(F('$T/plain.so')) == {$M}" \
	"pids(F('$T/with space.so')) == {$M}" \
	"pids(F('$T/new\\nline.so')) == {$M}" \
	"pids(F('$T/café-€.so')) == {$M}" \
	"pids(F('$T/kept.so')) == {$M}" \
	"F('$T/unused.so')['exists'] and F('$T/unused.so')['processes'] == []" \
	"not F('$T/missing.so')['exists'] and F('$T/missing.so')['processes'] == []" \
	"F('$T/missing.so')['dev'] is None and F('$T/missing.so')['ino'] is None" \
	"[f['request'] for f in d['files'] if f['path'] == '$T/plain.so'] == ['$T/plain.so', '$T/link.so']" \
	"(F('$T/unused.so')['dev'], F('$T/unused.so')['ino']) == ident('$T/unused.so')" \
	"(F('$T/kept.so')['dev'], F('$T/kept.so')['ino']) == ident('$T/kept.so')" \
	"[p for p in F('$T/plain.so')['processes'] if p['comm'] == 'mapper' and p['exe'] == '$MAPPER' and p['uid'] == $(id -u)]"

# --- nothing in use ---------------------------------------------------------
out=$("$FORKSAFE" inuse --json "$T/unused.so" "$T/missing.so")
rc=$?
expect_rc "inuse with nothing in use" "$(idle_rc "$out")" "$rc"

# --- stdin in NeedsTargets form with --root ---------------------------------
out=$(printf 'sub/\nplain.so\nlink.so\nunused.so\nmissing.so\n' |
	"$FORKSAFE" inuse --json --root "$T" --stdin)
rc=$?
expect_rc "inuse --root --stdin" 1 "$rc"
check "stdin targets relative to the root, directories skipped" "$out" \
	"d['root'] == '$T'" 'len(d["files"]) == 4' \
	"pids(F('/plain.so')) == {$M}" \
	"[f['request'] for f in d['files'] if f['path'] == '/plain.so'] == ['plain.so', 'link.so']" \
	"F('/unused.so')['processes'] == [] and not F('/missing.so')['exists']"

# --- text output --------------------------------------------------------------
out=$(cd "$T" && "$FORKSAFE" inuse plain.so unused.so missing.so)
verify "text output, relative paths from the current directory" has "$out" \
	"$T/plain.so: in use by 1 process" "    $M mapper .*" \
	"$T/unused.so: not in use" "$T/missing.so: missing"


# --- ps sees the unlinked library as deleted, with its identity -------------
out=$("$FORKSAFE" ps --json)
check "ps: deleted image keeps its identity; exact names" "$out" \
	"[i for i in P($M)['images'] if i['path'] == '$T/unlinked.so' and i['deleted'] and i['ino'] == $(stat -c %i "$T/kept.so")]" \
	"[i for i in P($M)['images'] if i['path'] == '$T/new\\nline.so' and not i['deleted']]" \
	"[i for i in P($M)['images'] if i['path'] == '$T/with space.so']" \
	"len({(i['dev'], i['ino']) for i in P($M)['images']}) == len(P($M)['images'])"

# --- the target exits: no longer in use --------------------------------------
kill "$M"; wait "$M" 2>/dev/null
out=$("$FORKSAFE" inuse --json "$T/plain.so")
rc=$?
expect_rc "inuse after the process exited" "$(idle_rc "$out")" "$rc"
finish
