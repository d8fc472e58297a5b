#!/usr/bin/env bash
# hook.sh - what forksafe's alpm hooks add to a real pacman transaction:
# the real pacman upgrades a package of F files while N processes each map
# K of its first M files, on two scratch roots alike but for the hooks
# (one has forksafe installed as `cmake --install` installs it, the other
# has none), side by side, interleaved (bench/measure.py), medians.
#
# Every transaction is the same: before each one (untimed) the fleet of the
# root is restarted so that it maps the files now installed; then pacman
# replaces all F files (1.0 -> 2.0, the next time 2.0 -> 1.0: both are
# upgrades to the hooks).  With the hooks, the pre-transaction hook keeps
# the mapped files in a snapshot and the post-transaction hook closes it
# and retires the snapshot of the previous round, whose processes are gone.
# pacman runs hooks chrooted into the root: each pacman call (both roots
# alike) runs in a mount namespace of its own with /proc, /sys and the
# host's libraries bind-mounted in, as a real root has them (without /sys,
# glibc's count of CPUs falls back to reading /proc/stat at every call).
#
# Which hook costs what: with PHASES=1 two more roots take part, one with
# only the pre-transaction hook (forksafe-guard.hook), one with only the
# post-transaction hook (forksafe-retire.hook), in the same rounds.
#
# With ALONE=1, the hooks' commands are then also timed alone, chrooted into
# the root with both hooks, the fleet up (and `forksafe inuse`, `forksafe
# report`, `forksafe --version` beside them, for scale).
#
# usage: bench/hook.sh BUILD_DIR [F N K M]      (default 2000 300 10 200)
# env:   RUNS (default 5); PHASES=1, ALONE=1 (see above)
set -euo pipefail

# --- the two steps measure.py runs: restart ROOT's fleet; one pacman call
if [ "${1:-}" = --restart-fleet ]; then # ROOT FLEET N K M
	R=$2
	if [ -e "$R.fleet" ]; then
		kill "$(cat "$R.fleet")" 2>/dev/null || true
		while kill -0 "$(cat "$R.fleet")" 2>/dev/null; do sleep 0.05; done
	fi
	rm -f "$R.ready"
	"$3" "$R/usr/lib/fsbench" "$4" "$5" "$6" "$R.ready" </dev/null >/dev/null 2>&1 &
	echo $! >"$R.fleet"
	for _ in $(seq 1200); do
		[ -e "$R.ready" ] && exit 0
		kill -0 "$(cat "$R.fleet")" 2>/dev/null || { echo "hook.sh: fleet died" >&2; exit 1; }
		sleep 0.05
	done
	echo "hook.sh: fleet not ready after 60 s" >&2
	exit 1
fi
if [ "${1:-}" = --pacman ]; then # ROOT PKGDIR : upgrade to the version not installed
	R=$2
	if [ -d "$R/var/lib/pacman/local/fsbench-1.0-1" ]; then next=2.0-1; else next=1.0-1; fi
	# shellcheck disable=SC2016 # expanded by the inner bash
	if unshare -m bash -c '
		R=$1 PKG=$2
		mount --bind /proc "$R/proc" && mount --bind /sys "$R/sys" &&
		mount --bind /usr/lib/x86_64-linux-gnu "$R/usr/lib/x86_64-linux-gnu" &&
		mount --bind /usr/lib64 "$R/usr/lib64" || exit 99
		exec pacman --root "$R" --dbpath "$R/var/lib/pacman" --cachedir "$R/var/cache/pacman/pkg" \
			--logfile "$R/var/log/pacman.log" --hookdir "$R/no-hooks" --config "$R.conf" \
			--noconfirm -U "$PKG"' bash "$R" "$3/fsbench-$next-any.pkg.tar.zst" >"$R.out" 2>&1 &&
		[ -d "$R/var/lib/pacman/local/fsbench-$next" ]; then
		echo "ok $next" >>"$R.log"
	else
		echo "FAILED $next" >>"$R.log"
		exit 1
	fi
	exit 0
fi

B=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
F=${2:-2000}
N=${3:-300}
K=${4:-10}
M=${5:-200}
RUNS=${RUNS:-5}
[ "$(id -u)" = 0 ] || { echo "hook.sh: pacman on a scratch root and its hooks' chroot want root" >&2; exit 1; }
for tool in pacman bsdtar zstd unshare; do
	command -v "$tool" >/dev/null || { echo "hook.sh: $tool is missing (./dev start installs it)" >&2; exit 1; }
done
if [ "$M" -gt "$F" ] || [ "$K" -gt "$M" ]; then echo "hook.sh: need K <= M <= F" >&2; exit 1; fi
W=$(mktemp -d /tmp/forksafe-bench-hook.XXXXXX)
cleanup() {
	for r in "$W"/*.fleet; do
		r=${r%.fleet}
		if [ -e "$r.fleet" ]; then kill "$(cat "$r.fleet")" 2>/dev/null || true; fi
	done
	rm -rf "$W"
}
trap cleanup EXIT

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

# --- the roots: forksafe installed in all but plain -------------------------------------------------------
DESTDIR=$W/dest cmake --install "$B" --prefix /usr >"$W/install.log" 2>&1 ||
	{ cat "$W/install.log" >&2; exit 1; }
# ROOTS: the roots measured; HOOKS_IN[root]: the hooks installed there
ROOTS=(plain hooks)
declare -A HOOKS_IN=([plain]="" [hooks]="forksafe-guard forksafe-retire")
if [ -n "${PHASES:-}" ]; then
	ROOTS+=(pre-only post-only)
	HOOKS_IN[pre-only]=forksafe-guard
	HOOKS_IN[post-only]=forksafe-retire
fi
for r in "${ROOTS[@]}"; do
	R=$W/$r
	mkdir -p "$R/var/lib/pacman" "$R/var/cache/pacman/pkg" "$R/var/log" "$R/etc" "$R/proc" "$R/sys" \
		"$R/usr/lib/x86_64-linux-gnu" "$R/usr/lib64" "$R/no-hooks"
	ln -s usr/lib "$R/lib"
	ln -s usr/lib64 "$R/lib64"
	printf '[options]\nArchitecture = auto\nSigLevel = Never\n' >"$R.conf"
	[ -n "${HOOKS_IN[$r]}" ] || continue
	cp -a "$W/dest/." "$R/"
	for h in "$R"/usr/share/libalpm/hooks/*.hook; do
		case " ${HOOKS_IN[$r]} " in
		*" $(basename "$h" .hook) "*) ;;
		*) rm "$h" ;;
		esac
	done
	read -ra want <<<"${HOOKS_IN[$r]}"
	[ "$(ls "$R/usr/share/libalpm/hooks")" = "$(printf '%s.hook\n' "${want[@]}")" ] ||
		{ echo "hook.sh: $r: the hooks installed are not ${HOOKS_IN[$r]}" >&2; exit 1; }
done

restart() { bash "$HERE/hook.sh" --restart-fleet "$W/$1" "$B/bench/fleet" "$N" "$K" "$M"; }
pac() { bash "$HERE/hook.sh" --pacman "$W/$1" "$W"; }

echo "package: $F files ($(du -h "$W/fsbench-1.0-1-any.pkg.tar.zst" | cut -f1) packed); fleet: $N processes x $K of its first $M files;" \
	"$(nproc) CPUs; $(uname -r); load $(cut -d' ' -f1-3 /proc/loadavg)"

# correctness first: both roots get 1.0, then one upgrade with the fleet
# up; the hooks must keep exactly the mapped files, the plain root none
for r in "${ROOTS[@]}"; do
	pac "$r" || { cat "$W/$r.out" >&2; exit 1; }
	restart "$r"
	pac "$r" || { cat "$W/$r.out" >&2; exit 1; }
done
mapped=$(
	for ((i = 0; i < N; i++)); do
		for ((j = 0; j < K; j++)); do echo $(((i * 37 + j) % M)); done
	done | sort -u | wc -l
)
kept=$(sed -n 's/^forksafe: kept \([0-9]*\) in-use files\{0,1\} for running processes.*/\1/p' "$W/hooks.out")
echo "the fleet maps $mapped distinct files of the package; the guard hook kept ${kept:-none}"
grep '^forksafe' "$W/hooks.out" | sed 's/^/  /'
if [ "${kept:-0}" != "$mapped" ] || grep -q forksafe "$W/plain.out"; then
	echo "wrong answer" >&2
	cat "$W/hooks.out" >&2
	exit 1
fi

if [ -n "${PHASES:-}" ]; then
	if ! grep -q '^forksafe: kept ' "$W/pre-only.out" || grep -q 'replaced images' "$W/pre-only.out" ||
		grep -q '^forksafe: kept ' "$W/post-only.out" || ! grep -q 'replaced images' "$W/post-only.out"; then
		echo "wrong answer: pre-only must run the guard hook only, post-only the retire hook only" >&2
		cat "$W/pre-only.out" "$W/post-only.out" >&2
		exit 1
	fi
fi

echo "median of $RUNS interleaved rounds, each a pacman -U replacing $F files (ratios to no hooks):"
CMDS=()
PREPS=()
for r in "${ROOTS[@]}"; do
	name=$r
	[ "$r" = plain ] && name=no-hooks
	CMDS+=("$name=bash $HERE/hook.sh --pacman $W/$r $W")
	PREPS+=(--prepare "$name=bash $HERE/hook.sh --restart-fleet $W/$r $B/bench/fleet $N $K $M")
done
python3 "$HERE/measure.py" "$RUNS" "${CMDS[@]}" "${PREPS[@]}" --json "${JSON_OUT:-/dev/null}"
for r in "${ROOTS[@]}"; do
	if grep -q FAILED "$W/$r.log"; then
		echo "a transaction failed on $r: the figures are void" >&2
		exit 1
	fi
done
echo "transactions: $(for r in "${ROOTS[@]}"; do printf '%s %s, ' "$r" "$(grep -c ok "$W/$r.log")"; done)all succeeded"

# where the hooks' time goes: their two commands alone on the same state,
# chrooted as pacman runs them (the targets: the package's file list)
if [ -n "${ALONE:-}" ]; then
	bsdtar -tf "$W/fsbench-1.0-1-any.pkg.tar.zst" | grep -v '^\.PKGINFO$' | LC_ALL=C sort >"$W/targets"
	chrooted() {
		# shellcheck disable=SC2016 # expanded by the inner bash
		echo "unshare -m bash -c 'mount --bind /proc \$0/proc && mount --bind /sys \$0/sys && mount --bind /usr/lib/x86_64-linux-gnu \$0/usr/lib/x86_64-linux-gnu && mount --bind /usr/lib64 \$0/usr/lib64 && exec chroot \$0 $*' $W/hooks"
	}
	echo "the hooks' commands alone, chrooted, fleet up (pre, inuse: on the package's $F targets;"
	echo "start: the namespace, chroot and forksafe --version; report: post's second half, alone):"
	python3 "$HERE/measure.py" "$RUNS" \
		"pre=$(chrooted /usr/bin/forksafe hook pre-transaction)" \
		"post=$(chrooted /usr/bin/forksafe hook post-transaction)" \
		"inuse=$(chrooted /usr/bin/forksafe inuse --stdin)" \
		"report=$(chrooted /usr/bin/forksafe report)" \
		"start=$(chrooted /usr/bin/forksafe --version)" \
		--prepare "pre=bash $HERE/hook.sh --restart-fleet $W/hooks $B/bench/fleet $N $K $M" \
		--stdin "$W/targets"
fi
