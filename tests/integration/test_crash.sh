#!/usr/bin/env bash
# test_crash.sh - kill -9 guard, retire and protect at many points (a sweep
# of delays over runs that touch 200 files), and after every kill check
# that the store is consistent (status reads every snapshot, retire runs)
# and that no original file is lost or damaged.  Also: report reads no
# field it did not set (valgrind), with or without a package database.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

N=200
R=$T/r
S=$T/store
mkdir -p "$R/lib"
for ((i = 0; i < N; i++)); do cp "$TESTLIB" "$R/lib/l$i.so"; done
(cd "$R" && find lib -name '*.so' | sort) >"$T/targets"
mapfile -t TARGETS <"$T/targets"
mapfile -t LIBS < <(sed "s|^|$R/|" "$T/targets")
start_mapper "$T/ready" "${LIBS[@]}"
M=$MAPPER_PID

WANT=$(md5sum <"$TESTLIB")
originals_intact() {
	local got
	got=$(cd "$R" && md5sum "${TARGETS[@]}" 2>&1 | awk '{print $1}' | sort | uniq -c)
	[ "$got" = "$(printf '%7d %s' "$N" "${WANT%% *}")" ] || { echo "originals damaged or lost: $got"; return 1; }
}

store_consistent() {
	local out
	out=$("$FORKSAFE" status --json --store "$S" 2>/dev/null) || { echo "status failed"; return 1; }
	printf '%s' "$out" | python3 "$CHECK_JSON" 'all(s["problem"] is None for s in d["snapshots"])' >/dev/null ||
		{ echo "a snapshot is unreadable: $out" | head -c 600; return 1; }
}

# crash_sweep NAME MAX_MS CMD... : run CMD (stdin from $IN) and kill -9 it
# after 1, 2, ... MAX_MS milliseconds
crash_sweep() {
	local name=$1 max=$2 bad=0 killed=0 us
	shift 2
	for ((us = 1000; us <= max * 1000; us += 1000)); do
		{ timeout -s KILL "$(printf '%d.%06d' $((us / 1000000)) $((us % 1000000)))" \
			"$@" <"${IN:-/dev/null}" >/dev/null 2>&1; } 2>/dev/null
		[ $? = 137 ] && killed=$((killed + 1))
		originals_intact || bad=1
		store_consistent || bad=1
		[ "$bad" = 1 ] && break
	done
	verify "$name killed $killed times mid-run: store consistent, originals intact" \
		[ "$bad" = 0 ] && [ "$killed" -gt 0 ]
}

IN=$T/targets crash_sweep guard 60 \
	"$FORKSAFE" guard --root "$R" --store "$S" --stdin --threads 1
"$FORKSAFE" guard --root "$R" --store "$S" --stdin <"$T/targets" >/dev/null 2>&1
crash_sweep "retire --post-transaction" 20 \
	"$FORKSAFE" retire --store "$S" --post-transaction --threads 1
for ((i = 0; i < 3; i++)); do
	"$FORKSAFE" guard --root "$R" --store "$S" --stdin <"$T/targets" >/dev/null 2>&1
done
kill "$M"; wait "$M" 2>/dev/null
crash_sweep retire 20 "$FORKSAFE" retire --store "$S" --post-transaction --threads 1
start_mapper "$T/ready2" "${LIBS[@]}"
M=$MAPPER_PID
crash_sweep protect 60 "$FORKSAFE" protect --store "$S" --threads 1 "${LIBS[@]}"
kill "$M"; wait "$M" 2>/dev/null
out=$("$FORKSAFE" retire --json --store "$S" --post-transaction 2>/dev/null)
check "after the crashes one retire cleans everything up" "$out" \
	'all(s["removed"] for s in d["snapshots"])'
verify "  the store holds nothing but its lock" [ -z "$(find "$S" -mindepth 1 -not -name lock -not -name pkgdb.solv)" ]
verify "  no original lost" originals_intact
verify "  nothing left beside the originals" [ "$(find "$R" -type f | wc -l)" = "$N" ]

# --- report --root DIR without a package database, a replaced file mapped in it -----------
# (a field of each replaced image was set only when packages were named: it
# crashed, or printed heap bytes as a package name)
mkdir -p "$T/nodb/usr/lib"
cp "$TESTLIB" "$T/nodb/usr/lib/liba.so"
start_mapper "$T/ready-nodb" "$T/nodb/usr/lib/liba.so"
replace_like_pm "$T/nodb/usr/lib/liba.so" "$TESTLIB2"
for fmt in text json; do
	flag=; [ "$fmt" = json ] && flag=--json
	# (under ASan its own checks serve: valgrind cannot run an ASan binary)
	if command -v valgrind >/dev/null && ! ldd "$FORKSAFE" | grep -q libasan; then
		valgrind -q --error-exitcode=99 "$FORKSAFE" report $flag --root "$T/nodb" --store "$T/s-nodb" \
			>"$T/report.out" 2>"$T/report.err"
	else
		"$FORKSAFE" report $flag --root "$T/nodb" --store "$T/s-nodb" >"$T/report.out" 2>"$T/report.err"
	fi
	expect_rc "report ($fmt) of a root without a package database, a replaced file in use" 1 $?
	verify "  it names the process, under no package" grep -q "$MAPPER_PID" "$T/report.out"
done
finish
