#!/usr/bin/env bash
# test_ps.sh - `forksafe ps`: process facts, unreadable processes counted
# (as an unprivileged user), processes exiting mid-scan skipped silently.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

cp "$TESTLIB" "$T/lib one.so"
start_mapper "$T/ready" "$T/lib one.so"
M=$MAPPER_PID

out=$("$FORKSAFE" ps --json)
expect_rc "ps --json" 0 $?
check "ps JSON describes the mapper" "$out" \
	'd["schema"] == 1' 'd["complete"] == (d["unreadable_processes"] == 0)' \
	"P($M)['comm'] == 'mapper' and P($M)['exe'] == '$MAPPER'" \
	"P($M)['uid'] == $(id -u) and P($M)['start_time'] > 0" \
	"P($M)['root'] == '/' and P($M)['foreign_mount_ns'] is False" \
	"P($M)['images'][0]['path'] == '$MAPPER'" \
	"any(i['path'] == '$T/lib one.so' for i in P($M)['images'])" \
	"all(p['images'] for p in d['processes'])" \
	"[p['pid'] for p in d['processes']] == sorted(p['pid'] for p in d['processes'])"

out=$("$FORKSAFE" ps --brief)
verify "ps --brief" has "$out" "$M mapper \\(uid $(id -u)\\) $MAPPER: [0-9]+ images"
out=$("$FORKSAFE" ps)
verify "ps lists images" has "$out" "    $T/lib one.so"

# --- an unprivileged user cannot read root's processes: counted, not dropped
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	chmod 755 "$T"
	cp "$FORKSAFE" "$T/forksafe"
	nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	out=$(cd / && nobody "$T/forksafe" ps --json 2>"$T/err")
	expect_rc "ps as nobody" 0 $?
	check "unreadable processes are counted" "$out" \
		'd["complete"] is False' 'd["unreadable_processes"] >= 1' \
		"$M not in [p['pid'] for p in d['processes']]"
	verify "warning on stderr" grep -q "could not be read" "$T/err"
	out=$(cd / && nobody "$T/forksafe" inuse --json "$T/lib one.so" 2>/dev/null)
	expect_rc "inuse as nobody: not seen in use, but incomplete" 3 $?
	check "incomplete inuse answer" "$out" 'd["complete"] is False' \
		"F('$T/lib one.so')['processes'] == []"
else
	echo "skipped: unprivileged-user checks need root and setpriv"
fi

# --- processes exiting mid-scan are skipped silently -------------------------
(
	end=$((SECONDS + 4))
	while [ $SECONDS -lt $end ]; do
		for _ in 1 2 3 4 5 6 7 8; do /bin/true & done
		wait
	done
) &
churn=$!
PIDS+=("$churn")
bad=0
for _ in $(seq 30); do
	"$FORKSAFE" ps --json >"$T/ps.json" 2>"$T/err" || bad=1
	grep -v "could not be read" "$T/err" && bad=1
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/ps.json" || bad=1
done
wait "$churn"
verify "30 scans while processes come and go" [ "$bad" = 0 ]
finish
