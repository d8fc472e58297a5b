#!/usr/bin/env bash
# test_units.sh - CLASS: cgroup names in the restart report (docs/security.md).
# `report` names each stale process's systemd unit from /proc/PID/cgroup and
# says which services to restart, which user units, which sessions.  Real
# processes are put in cgroups made here (cgroup2, and cgroup v1's
# name=systemd hierarchy), under names systemd would give: a system
# service, a login session's scope, a unit of a user's manager - and a
# cgroup the user names herself below her delegated subtree, with escape
# sequences, which must neither reach the terminal nor pass for a unit
# (the process is her manager's, user@UID.service, as systemd says).
# Where systemd does not run the report says nothing about units; systemd
# is faked for forksafe alone (a tmpfs on /run in a mount namespace of its
# own), never for the machine.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/../integration/lib.sh"
need_attacker

V2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
V1=$(awk '$3 == "cgroup" && $4 ~ /(^|,)name=systemd(,|$)/ { print $2; exit }' /proc/self/mounts)
if [ -z "$V2" ]; then
	echo "skipped: no cgroup2 file system is mounted"
	exit 77
fi
U=$ATTACKER_UID
SVC=fs-test-$$.service
SESSION=session-fs$$.scope
SVC_Q="'$SVC'"
EVIL=$'\e]2;pwned\a\e[31m'x.service
CG_SVC=$V2/system.slice/$SVC
CG_USER=$V2/user.slice/user-$U.slice
CG_SESSION=$CG_USER/$SESSION
CG_MGR=$CG_USER/user@$U.service
CG_APP=$CG_MGR/app.slice/$SVC
CG_EVIL=$CG_MGR/app.slice/$EVIL
CG_V1=${V1:+$V1/system.slice/fs-v1-$$.service}
# made here, removed after the processes in them are gone (deepest first)
CGROUPS=("$CG_EVIL" "$CG_APP" "$CG_MGR/app.slice" "$CG_MGR" "$CG_SESSION" "$CG_USER"
	"$CG_SVC")
cgroups_gone() {
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	for d in "${CGROUPS[@]}" "$CG_V1"; do [ -n "$d" ] && rmdir "$d" 2>/dev/null; done
	for d in "$V2/user.slice" "$V2/system.slice" "${V1:+$V1/system.slice}"; do
		[ -n "$d" ] && rmdir "$d" 2>/dev/null
	done
	return 0
}
CLEANUPS+=(cgroups_gone)
for d in "${CGROUPS[@]}"; do mkdir -p "$d" || { echo "cannot make cgroup $d"; exit 1; }; done
# the user manager's subtree is delegated to her, as systemd does
chown "$U:$ATTACKER_GID" "$CG_MGR/app.slice" "$CG_EVIL"

LIB=$T/lib/libfsunits.so
mkdir -p "$T/lib"
cp "$TESTLIB" "$LIB"
chmod 755 "$T/lib"
mkdir -m 1777 "$T/ready"
HER=(setpriv --reuid="$U" --regid="$ATTACKER_GID" --clear-groups --inh-caps=-all)
# start_in NAME CGROUP [setpriv...] : a mapper of LIB moved into CGROUP
# (none when empty), its pid in STARTED (setpriv itself, not the
# as_attacker function: $! must be the mapper)
start_in() {
	local name=$1 cg=$2
	shift 2
	"$@" "$MAPPER" "$T/ready/$name" "$LIB" &
	STARTED=$!
	PIDS+=("$STARTED")
	wait_for "$T/ready/$name" "$STARTED"
	[ -z "$cg" ] || echo "$STARTED" >"$cg/cgroup.procs" || { echo "cannot move into $cg"; exit 1; }
}
start_in svc "$CG_SVC" && P_SVC=$STARTED
start_in session "$CG_SESSION" "${HER[@]}" && P_SESSION=$STARTED
start_in app "$CG_APP" "${HER[@]}" && P_APP=$STARTED
start_in evil "$CG_EVIL" "${HER[@]}" && P_EVIL=$STARTED
start_in none "" && P_NONE=$STARTED
if [ -n "$CG_V1" ]; then
	mkdir -p "$CG_V1" && start_in v1 "$CG_V1" && P_V1=$STARTED
fi
replace_like_pm "$LIB" "$TESTLIB2"

# report as systemd would see it: /run/systemd/system exists for forksafe only
with_systemd() {
	unshare -m --propagation private sh -c \
		'mount -t tmpfs fs-test-run /run && mkdir -p /run/systemd/system && exec "$@"' sh "$@"
}
with_systemd "$FORKSAFE" report --store "$T/store" >"$T/text" 2>"$T/text.err"
TEXT=$(cat "$T/text")
with_systemd "$FORKSAFE" report --store "$T/store" --json >"$T/json" 2>"$T/json.err"
JSON=$(cat "$T/json")
"$FORKSAFE" report --store "$T/store" >"$T/plain" 2>/dev/null
"$FORKSAFE" report --store "$T/store" --json >"$T/plain.json" 2>/dev/null

verify "the service is to restart" has "$TEXT" "  systemctl restart .*\b$SVC\b.*"
verify "her user unit, with her manager" \
	has "$TEXT" "  systemctl --user -M $U@ restart .*\b$SVC\b.*"
verify "the session, with its user and process" \
	has "$TEXT" "  in user sessions .* $SESSION \(uid $U\): $P_SESSION mapper;.*"
verify "each process line names its unit" \
	has "$TEXT" "    $P_SVC mapper .*\[$SVC\]" "    $P_APP mapper .*\[user $U: $SVC\]" \
	"    $P_SESSION mapper .*\[$SESSION\]"
verify "a process in no unit is said apart" has "$TEXT" "  in no unit:.* $P_NONE mapper.*"
# as systemd's cg_path_get_unit() says: a name below her manager that is no
# unit name leaves the process to her manager, never to a unit she names
verify "her own cgroup name is not believed: her manager's" \
	has "$TEXT" "    $P_EVIL mapper .*\[user@$U\.service\]"
# shellcheck disable=SC2016
verify "her own cgroup name never reaches the terminal" \
	sh -c '! LC_ALL=C grep -q "$(printf "\033")" "$1" && ! grep -q "31mx\.service" "$1"' sh "$T/text"
verify "no other service is named" has "$TEXT" "  systemctl restart $SVC( fs-v1-$$\.service)? user@$U\.service"
if [ -n "$CG_V1" ]; then
	verify "cgroup v1's name=systemd hierarchy" has "$TEXT" \
		"  systemctl restart .*\bfs-v1-$$.service\b.*" "    $P_V1 mapper .*\[fs-v1-$$.service\]"
fi

check "JSON: each process carries its unit" "$JSON" \
	"(p := {x['pid']: x for g in d['packages'] for x in g['processes']}) is not None" \
	"p[$P_SVC]['unit'] == '$SVC' and p[$P_SVC]['unit_type'] == 'system'" \
	"p[$P_SVC]['unit_uid'] is None" \
	"p[$P_APP]['unit'] == '$SVC' and p[$P_APP]['unit_type'] == 'user' and p[$P_APP]['unit_uid'] == $U" \
	"p[$P_SESSION]['unit'] == '$SESSION' and p[$P_SESSION]['unit_type'] == 'session'" \
	"p[$P_EVIL]['unit'] == 'user@$U.service' and p[$P_EVIL]['unit_type'] == 'system'" \
	"p[$P_NONE]['unit'] is None"
check "JSON: the summary by unit" "$JSON" \
	"(u := d['units']) is not None" \
	"[($SVC_Q, [$P_SVC])] == [(x['unit'], x['pids']) for x in u['services'] if x['unit'] == $SVC_Q]" \
	"any(x['unit'] == $SVC_Q and x['unit_uid'] == $U and x['pids'] == [$P_APP] for x in u['user_units'])" \
	"any(x['unit'] == '$SESSION' and x['unit_uid'] == $U and x['pids'] == [$P_SESSION] for x in u['sessions'])" \
	"$P_NONE in u['no_unit']" \
	"not any(x['unit'] == $SVC_Q for x in u['other'])"
# shellcheck disable=SC2016
verify "without systemd: not a word about units" \
	sh -c '! grep -qE "systemctl|by unit|in no unit|\[$2\]" "$1"' sh "$T/plain" "$SVC"
check "without systemd: JSON units are null" "$(cat "$T/plain.json")" \
	"d['units'] is None" \
	"all(x['unit'] is None for g in d['packages'] for x in g['processes'])" \
	"any(x['pid'] == $P_SVC for g in d['packages'] for x in g['processes'])"
cgroups_gone
for d in "${CGROUPS[@]}"; do verify "cgroup removed: $(printf %q "${d##*/}")" test ! -e "$d"; done
finish
