#!/usr/bin/env bash
# test_stress.sh - guard/replace/retire "transactions", timer retires and
# holders run in parallel for a bounded time.  Invariants: a process that
# maps a replaced library always finds its inode kept in the store; a held
# snapshot never disappears under its holder; after quiesce one retire
# leaves an empty store.  Transactions take a lock of their own, as a
# package manager's database lock serialises real ones: a post-transaction
# retire closes every open snapshot, so it must not run inside another
# transaction (docs/store.md).
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

SECS=${STRESS_SECONDS:-15}
N=20
R=$T/r
S=$T/store
mkdir -p "$R/lib"
for ((i = 0; i < N; i++)); do cp "$TESTLIB" "$R/lib/l$i.so"; done
start_mapper "$T/ready" "$R"/lib/*.so
M=$MAPPER_PID
: >"$T/violations"
F() { "$FORKSAFE" "$@" --store "$S" >/dev/null 2>>"$T/log"; }

# every old inode M maps (deleted: replaced) must still be in the store
kept_check() {
	local ino
	awk '/ \(deleted\)$/ { print $5 }' "/proc/$M/maps" | sort -u | while read -r ino; do
		[ -n "$(find "$S" -inum "$ino" -print -quit 2>/dev/null)" ] ||
			echo "inode $ino mapped by $M is no longer kept" >>"$T/violations"
	done
}

transactions() {
	local end=$((SECONDS + SECS)) k tx=$T/tx.$BASHPID
	while [ $SECONDS -lt $end ]; do
		k=$((RANDOM % N))
		printf 'lib/l%d.so\nlib/l%d.so\n' "$k" $(((k + 7) % N)) >"$tx"
		(
			flock 9
			F guard --root "$R" --stdin <"$tx"
			replace_like_pm "$R/lib/l$k.so" "$TESTLIB2"
			F retire --post-transaction
		) 9>"$T/db.lck"
	done
}
timer_retires() {
	local end=$((SECONDS + SECS))
	while [ $SECONDS -lt $end ]; do F retire; done
}
holders() {
	local end=$((SECONDS + SECS)) snap
	while [ $SECONDS -lt $end ]; do
		snap=$(cd "$S" 2>/dev/null && find . -maxdepth 1 -name 'snap-*' | shuf -n 1)
		snap=${snap#./}
		[ -n "$snap" ] || continue
		# shellcheck disable=SC2016 # expanded by the inner sh
		"$FORKSAFE" hold --store "$S" "$snap" -- \
			sh -c 'test -d "$1" && sleep 0.1 && test -d "$1" && sleep 0.1 && test -d "$1" ||
				echo "held snapshot $1 vanished" >>"$2"' sh "$S/$snap" "$T/violations" 2>/dev/null
	done
}
checker() {
	local end=$((SECONDS + SECS))
	while [ $SECONDS -lt $end ]; do kept_check; sleep 0.2; done
}

transactions & w1=$!
transactions & w2=$!
timer_retires & w3=$!
holders & w4=$!
holders & w5=$!
checker & w6=$!
PIDS+=("$w1" "$w2" "$w3" "$w4" "$w5" "$w6")
wait "$w1" "$w2" "$w3" "$w4" "$w5" "$w6"
kept_check
replaced=$(awk '/ \(deleted\)$/ { print $5 }' "/proc/$M/maps" | sort -u | wc -l)
verify "libraries were replaced under the running process ($replaced)" [ "$replaced" -gt 0 ]
verify "no kept inode lost, no held snapshot vanished ($SECS s)" [ ! -s "$T/violations" ]
head -5 "$T/violations"; grep -v "could not be read" "$T/log" | sort | uniq -c | head
kill "$M"; wait "$M" 2>/dev/null
out=$("$FORKSAFE" retire --json --store "$S" --post-transaction 2>/dev/null)
check "after quiesce one retire removes every snapshot" "$out" \
	'all(s["removed"] for s in d["snapshots"]) and not any(s["problem"] for s in d["snapshots"])'
verify "  nothing leaks: the store holds only its lock" \
	[ "$(find "$S" -mindepth 1 -not -name lock -not -name pkgdb.solv | wc -l)" = 0 ] && [ -f "$S/lock" ]
finish
