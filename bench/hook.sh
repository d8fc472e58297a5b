#!/usr/bin/env bash
# hook.sh - what forksafe's alpm hooks add to a real pacman transaction:
# the real pacman upgrades a package of F files while N processes each map
# K of its first M files, with and without the hooks, side by side,
# interleaved (bench/measure.py), medians.
#
# One scratch root, forksafe installed as `cmake --install` installs it;
# the conditions differ only in the hook files present in the root's
# /usr/share/libalpm/hooks.  One root, not one per condition: on ext4 the
# cost of creating F files depends on the inodes recently freed in the
# directory's block group (ext4_create -> recently_deleted), which differs
# from root to root by a factor of 3 or more and drifts from round to
# round - more than the hooks cost.  In one root, round i of every
# condition meets the same file system, and the CPU the hooks add is also
# given per round (paired), then as its median.
#
# Where the processes live: as on a machine that pacman upgrades, the fleet
# runs in the root pacman works on, and in the mount namespace its hooks
# run in.  The whole benchmark runs in a mount namespace of its own, where
# the root gets /proc, /sys and the host's libraries (bind mounts, gone
# with the namespace); the fleet is chrooted into the root, and pacman runs
# its hooks chrooted there too.  With FOREIGN=1 the fleet runs outside the
# root instead (the host's /, mapping the root's files through their long
# paths) and every pacman call in a mount namespace of its own: each
# process is then judged in a view other than the hooks' (as a container's
# processes are), which costs more per process.
#
# Every transaction is the same: before each one (untimed) the root's hooks
# are set for the condition and its fleet (the only one: N processes) is
# restarted so that it maps the files now installed; then pacman replaces
# all F files (1.0 -> 2.0, the next time 2.0 -> 1.0: both are upgrades to
# the hooks).  With the hooks, the pre-transaction hook keeps the mapped
# files in a snapshot and the post-transaction hook closes it and retires
# the snapshots before it, whose processes are gone.
#
# Which hook costs what: with PHASES=1 two more conditions take part, only
# the pre-transaction hook (forksafe-guard.hook), only the post-transaction
# hook (forksafe-retire.hook), in the same rounds.
#
# With ALONE=1, the hooks' commands are then also timed alone, chrooted into
# the root with both hooks, the fleet up (and `forksafe inuse`, `forksafe
# report`, `forksafe --version` beside them, for scale); the post-transaction
# hook and report after a transaction (the pre-transaction hook run, the
# mapped files replaced).
#
# With OLD=BUILD_DIR, another build's hooks take part too (hooks-old: its
# program installed beside as /usr/local/bin/forksafe-old), in the same
# rounds: old and new side by side.
#
# usage: bench/hook.sh BUILD_DIR [F N K M]      (default 2000 300 10 200)
# env:   RUNS (default 5); PHASES=1, ALONE=1, FOREIGN=1, OLD=BUILD_DIR (see above)
set -euo pipefail

# the mounts a root needs for pacman's chrooted hooks and the fleet
mount_root() { # ROOT
	mount --bind /proc "$1/proc" && mount --bind /sys "$1/sys" &&
		mount --bind /usr/lib/x86_64-linux-gnu "$1/usr/lib/x86_64-linux-gnu" &&
		mount --bind /usr/lib64 "$1/usr/lib64" &&
		mount --bind "$(readlink -f /bin/sh)" "$1/usr/bin/sh" &&
		mount --bind "$(command -v grep)" "$1/usr/bin/grep"
}

# --- the two steps measure.py runs
# --prepare ROOT N K M COND [HOOK...]: the root's alpm hooks become exactly
# HOOK... (from ROOT.hooks, where all of forksafe's wait) and its store the
# one of condition COND, then its fleet is restarted so that it maps the
# files now installed.
if [ "${1:-}" = --prepare ]; then
	R=$2 N=$3 K=$4 M=$5 COND=$6
	shift 6
	rm -f "$R"/usr/share/libalpm/hooks/*.hook
	for h in "$@"; do cp "$R.hooks/$h.hook" "$R/usr/share/libalpm/hooks/"; done
	# each condition its own store, as if it were the only one: what one
	# condition keeps is never retired (or counted) in another's round
	if [ -e "$R.cond" ] && [ -d "$R/var/lib/forksafe" ]; then
		mv "$R/var/lib/forksafe" "$R.store.$(cat "$R.cond")"
	fi
	if [ -d "$R.store.$COND" ]; then mv "$R.store.$COND" "$R/var/lib/forksafe"; fi
	echo "$COND" >"$R.cond"
	if [ -e "$R.fleet" ]; then
		kill "$(cat "$R.fleet")" 2>/dev/null || true
		# the fleet waits for its children before it exits
		while kill -0 "$(cat "$R.fleet")" 2>/dev/null; do sleep 0.05; done
	fi
	rm -f "$R/fleet.ready"
	if [ -n "${FOREIGN:-}" ]; then
		"$R.fleet-bin" "$R/usr/lib/fsbench" "$N" "$K" "$M" "$R/fleet.ready" </dev/null >/dev/null 2>&1 &
	else
		chroot "$R" /usr/local/bin/fsbench-fleet /usr/lib/fsbench "$N" "$K" "$M" /fleet.ready \
			</dev/null >/dev/null 2>&1 &
	fi
	echo $! >"$R.fleet"
	for _ in $(seq 1200); do
		[ -e "$R/fleet.ready" ] && exit 0
		kill -0 "$(cat "$R.fleet")" 2>/dev/null || { echo "hook.sh: fleet died" >&2; exit 1; }
		sleep 0.05
	done
	echo "hook.sh: fleet not ready after 60 s" >&2
	exit 1
fi
# --mounted ROOT CMD...: CMD once ROOT's mounts are made (FOREIGN=1: run
# in a mount namespace of the call's own)
if [ "${1:-}" = --mounted ]; then
	mount_root "$2" || exit 99
	exec "${@:3}"
fi
# --replace ROOT M: the package's first M files replaced, as pacman does
if [ "${1:-}" = --replace ]; then
	for ((i = 0; i < $3; i++)); do
		f=$(printf '%s/usr/lib/fsbench/lib%03d.so' "$2" "$i")
		cp "$f" "$f.new" && mv -f "$f.new" "$f" || exit 1
	done
	exit 0
fi
# --pacman ROOT PKGDIR: upgrade to the version not installed
if [ "${1:-}" = --pacman ]; then
	R=$2
	if [ -d "$R/var/lib/pacman/local/fsbench-1.0-1" ]; then next=2.0-1; else next=1.0-1; fi
	pac=(pacman --root "$R" --dbpath "$R/var/lib/pacman" --cachedir "$R/var/cache/pacman/pkg"
		--logfile "$R/var/log/pacman.log" --hookdir "$R/no-hooks" --config "$R.conf"
		--noconfirm -U "$3/fsbench-$next-any.pkg.tar.zst")
	if [ -n "${FOREIGN:-}" ]; then
		unshare -m bash "$0" --mounted "$R" "${pac[@]}" >"$R.out" 2>&1
	else
		"${pac[@]}" >"$R.out" 2>&1
	fi && [ -d "$R/var/lib/pacman/local/fsbench-$next" ] && { echo "ok $next" >>"$R.log"; exit 0; }
	echo "FAILED $next" >>"$R.log"
	exit 1
fi

B=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
F=${2:-2000}
N=${3:-300}
K=${4:-10}
M=${5:-200}
RUNS=${RUNS:-5}
# --- outside: the work directory, removed once the namespace (and with it
# every mount into the root) is gone; inside: the benchmark
if [ -z "${FS_BENCH_HOOK_DIR:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "hook.sh: pacman on a scratch root, its chroot and mounts want root" >&2; exit 1; }
	for tool in pacman bsdtar zstd unshare chroot; do
		command -v "$tool" >/dev/null || { echo "hook.sh: $tool is missing (./dev start installs it)" >&2; exit 1; }
	done
	if [ "$M" -gt "$F" ] || [ "$K" -gt "$M" ]; then echo "hook.sh: need K <= M <= F" >&2; exit 1; fi
	W=$(mktemp -d /tmp/forksafe-bench-hook.XXXXXX)
	trap 'rm -rf "$W"' EXIT
	rc=0
	FS_BENCH_HOOK_DIR=$W unshare -m --propagation private bash "$0" "$@" || rc=$?
	exit "$rc"
fi
W=$FS_BENCH_HOOK_DIR
R=$W/root
trap 'if [ -e "$R.fleet" ]; then kill "$(cat "$R.fleet")" 2>/dev/null || true; fi' EXIT

# --- the package, 2 versions of F files ---------------------------------------------------------
for v in 1.0-1 2.0-1; do
	d=$W/pkg-$v
	mkdir -p "$d/usr/lib/fsbench"
	for ((i = 0; i < F; i++)); do
		cp "$B/bench/libbenchlib.so" "$(printf '%s/usr/lib/fsbench/lib%03d.so' "$d" "$i")"
	done
	printf 'pkgname = fsbench\npkgbase = fsbench\npkgver = %s\npkgdesc = forksafe hook benchmark\nbuilddate = 1700000000\npackager = bench\nsize = %s\narch = any\nlicense = MIT\n' \
		"$v" "$(($(du -sk --apparent-size "$d" | cut -f1) * 1024))" >"$d/.PKGINFO"
	(cd "$d" && bsdtar -cf - .PKGINFO usr | zstd -q -T0 -o "$W/fsbench-$v-any.pkg.tar.zst")
	rm -rf "$d"
done

# --- the root: forksafe installed, its hooks set aside in ROOT.hooks ---------------------------
mkdir -p "$R/var/lib/pacman" "$R/var/cache/pacman/pkg" "$R/var/log" "$R/etc" "$R/proc" "$R/sys" \
	"$R/usr/lib/x86_64-linux-gnu" "$R/usr/lib64" "$R/usr/local/bin" "$R/no-hooks"
ln -s usr/lib "$R/lib"
ln -s usr/lib64 "$R/lib64"
# the hooks run forksafe through /bin/sh (and grep), which every Arch root
# has: the host's, mounted in
mkdir -p "$R/usr/bin"
ln -s usr/bin "$R/bin"
touch "$R/usr/bin/sh" "$R/usr/bin/grep"
printf '[options]\nArchitecture = auto\nSigLevel = Never\n' >"$R.conf"
DESTDIR=$R cmake --install "$B" --prefix /usr >"$W/install.log" 2>&1 ||
	{ cat "$W/install.log" >&2; exit 1; }
mkdir "$R.hooks"
mv "$R"/usr/share/libalpm/hooks/*.hook "$R.hooks/"
[ "$(ls "$R.hooks")" = "$(printf '%s\n' forksafe-guard.hook forksafe-retire.hook)" ] ||
	{ echo "hook.sh: cmake --install did not install the two hooks" >&2; exit 1; }
# the fleet's program: in the root (a program no package owns), or beside it
if [ -n "${FOREIGN:-}" ]; then
	cp "$B/bench/fleet" "$R.fleet-bin"
else
	cp "$B/bench/fleet" "$R/usr/local/bin/fsbench-fleet"
	mount_root "$R" || { echo "hook.sh: cannot mount /proc, /sys and the libraries into the root" >&2; exit 1; }
fi

# OLD=BUILD_DIR: that build's program and hooks beside (forksafe-old, its
# hooks naming it), for a condition of their own
if [ -n "${OLD:-}" ]; then
	DESTDIR=$W/old cmake --install "$OLD" --prefix /usr >"$W/install-old.log" 2>&1 ||
		{ cat "$W/install-old.log" >&2; exit 1; }
	cp "$W/old/usr/bin/forksafe" "$R/usr/local/bin/forksafe-old"
	for h in guard retire; do
		sed 's|/usr/bin/forksafe |/usr/local/bin/forksafe-old |' "$W/old/usr/share/libalpm/hooks/forksafe-$h.hook" \
			>"$R.hooks/old-$h.hook"
		grep -q forksafe-old "$R.hooks/old-$h.hook" || { echo "hook.sh: OLD's $h hook names no program" >&2; exit 1; }
	done
fi

# CONDS: the conditions measured, in one root; HOOKS_IN[cond]: its hooks
CONDS=(no-hooks hooks)
declare -A HOOKS_IN=([no-hooks]="" [hooks]="forksafe-guard forksafe-retire")
if [ -n "${OLD:-}" ]; then
	CONDS+=(hooks-old)
	HOOKS_IN[hooks-old]="old-guard old-retire"
fi
if [ -n "${PHASES:-}" ]; then
	CONDS+=(pre-only post-only)
	HOOKS_IN[pre-only]=forksafe-guard
	HOOKS_IN[post-only]=forksafe-retire
fi
prep_cmd() { echo "bash $HERE/hook.sh --prepare $R $N $K $M $1 ${HOOKS_IN[$1]}"; }
pac_cmd() { echo "bash $HERE/hook.sh --pacman $R $W"; }
prep() {
	local hooks
	read -ra hooks <<<"${HOOKS_IN[$1]}"
	bash "$HERE/hook.sh" --prepare "$R" "$N" "$K" "$M" "$1" "${hooks[@]}"
}
pac() { bash "$HERE/hook.sh" --pacman "$R" "$W"; }

echo "package: $F files ($(du -h "$W/fsbench-1.0-1-any.pkg.tar.zst" | cut -f1) packed); fleet: $N processes x $K of its first $M files," \
	"$([ -n "${FOREIGN:-}" ] && echo "outside the root" || echo "in the root");" \
	"$(nproc) CPUs; $(uname -r); load $(cut -d' ' -f1-3 /proc/loadavg)"

# correctness first: 1.0 installed, then one upgrade per condition with the
# fleet up; the guard hook must keep exactly the mapped files, the retire
# hook count the fleet, each condition run exactly its hooks
mapped=$(
	for ((i = 0; i < N; i++)); do
		for ((j = 0; j < K; j++)); do echo $(((i * 37 + j) % M)); done
	done | sort -u | wc -l
)
pac || { cat "$R.out" >&2; exit 1; }
for c in "${CONDS[@]}"; do
	prep "$c" || exit 1
	pac || { cat "$R.out" >&2; exit 1; }
	kept=$(sed -n 's/^forksafe: kept \([0-9]*\) in-use files\{0,1\} for running processes.*/\1/p' "$R.out")
	case " ${HOOKS_IN[$c]} " in
	*guard*) [ "${kept:-0}" = "$mapped" ] ;;
	*) ! grep -q '^forksafe: kept ' "$R.out" ;;
	esac || { echo "wrong answer ($c): the fleet maps $mapped files, the guard hook kept ${kept:-none}" >&2; cat "$R.out" >&2; exit 1; }
	retired='^forksafe: (no replaced file needs keeping|[0-9]+ replaced files? kept for running processes)'
	case " ${HOOKS_IN[$c]} " in
	*guard*retire*) grep -Eq "$retired.*; $N processes run replaced images" "$R.out" ;;
	*retire*) grep -Eq "$retired" "$R.out" ;;
	*) ! grep -Eq "$retired" "$R.out" ;;
	esac || { echo "wrong answer ($c): the retire hook ran where it is not installed, or not where it is" >&2; cat "$R.out" >&2; exit 1; }
	case $c in hooks | hooks-old) grep '^forksafe' "$R.out" | sed "s/^/  $c: /" ;; esac
done
echo "the fleet maps $mapped distinct files of the package; each condition ran exactly its hooks"

echo "median of $RUNS interleaved rounds, each a pacman -U replacing $F files in the same root (ratios to no hooks):"
CMDS=()
PREPS=()
for c in "${CONDS[@]}"; do
	CMDS+=("$c=$(pac_cmd)")
	PREPS+=(--prepare "$c=$(prep_cmd "$c")")
done
python3 "$HERE/measure.py" "$RUNS" "${CMDS[@]}" "${PREPS[@]}" --json "$W/res.json"
if grep -q FAILED "$R.log"; then
	echo "a transaction failed: the figures are void" >&2
	exit 1
fi
echo "transactions: $(grep -c ok "$R.log"), all succeeded"
# the same root, interleaved: round i of every condition saw the same file
# system and machine; the CPU the hooks add, per round, then its median
python3 - "$W/res.json" "${CONDS[@]}" <<'PY'
import json, statistics, sys
res = json.load(open(sys.argv[1]))
base = [s["cpu"] for s in res[sys.argv[2]]["samples"]]
for c in sys.argv[3:]:
    add = statistics.median(s["cpu"] - b for s, b in zip(res[c]["samples"], base))
    print(f"CPU {c} adds to a transaction (median of paired rounds): {add:+.3f} s "
          f"= {100 * add / statistics.median(base):+.1f} % of no-hooks' median")
PY
[ -z "${JSON_OUT:-}" ] || cp "$W/res.json" "$JSON_OUT"

# where the hooks' time goes: their two commands alone on the same state,
# chrooted as pacman runs them (the targets: the package's file list)
if [ -n "${ALONE:-}" ]; then
	bsdtar -tf "$W/fsbench-1.0-1-any.pkg.tar.zst" | grep -v '^\.PKGINFO$' | LC_ALL=C sort >"$W/targets"
	chrooted() {
		if [ -n "${FOREIGN:-}" ]; then
			echo "unshare -m bash $HERE/hook.sh --mounted $R chroot $R $*"
		else
			echo "chroot $R $*"
		fi
	}
	# post and report after a transaction: the fleet restarted, the pre
	# hook run, the mapped files replaced as pacman replaces them
	after="bash -c '$(prep_cmd hooks) && $(chrooted /usr/bin/forksafe hook pre-transaction) <$W/targets >/dev/null &&
		bash $HERE/hook.sh --replace $R $M'"
	bash -c "$(prep_cmd hooks)"
	bash -c "$(chrooted /usr/bin/forksafe hook pre-transaction)" <"$W/targets" 2>&1 | sed "s/^/  alone, pre: /"
	bash -c "$after"
	bash -c "$(chrooted /usr/bin/forksafe hook post-transaction)" 2>&1 | sed "s/^/  alone, post: /"
	echo "the hooks' commands alone, chrooted, fleet up (pre, inuse: on the package's $F targets;"
	echo "post, report: after a transaction, the mapped files replaced;"
	echo "start: chroot and forksafe --version$([ -n "${FOREIGN:-}" ] && echo ", the namespace and mounts")):"
	python3 "$HERE/measure.py" "$RUNS" \
		"pre=$(chrooted /usr/bin/forksafe hook pre-transaction)" \
		"post=$(chrooted /usr/bin/forksafe hook post-transaction)" \
		"inuse=$(chrooted /usr/bin/forksafe inuse --stdin)" \
		"report=$(chrooted /usr/bin/forksafe report)" \
		"start=$(chrooted /usr/bin/forksafe --version)" \
		--prepare "pre=$(prep_cmd hooks)" --prepare "post=$after" --prepare "report=$after" \
		--stdin "$W/targets"
fi
