# shellcheck shell=bash
# fleet.sh - sourced by the benchmarks that run bench/fleet: FLEET is its
# pid while it runs; stop_fleet ends it (also at exit, with the scratch
# directory W, which the caller sets before sourcing).
FLEET=

stop_fleet() {
	if [ -n "$FLEET" ]; then
		kill "$FLEET" 2>/dev/null || true
		wait "$FLEET" 2>/dev/null || true
		FLEET=
	fi
}
trap 'stop_fleet; rm -rf "$W"' EXIT
