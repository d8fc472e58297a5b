#!/usr/bin/env bash
# test_lsof.sh - CLASS: the scanner's completeness. Every (pid, dev, ino)
# `forksafe ps --json` gives, against lsof's mapped files and executables
# (fd txt, mem, DEL, ltx) of the same processes, on this machine's own
# state: the processes that live through both ps runs with the same start
# time and the same images. Test processes make the comparison never
# empty: mappers of known libraries (one of them unlinked: lsof's DEL), a
# process whose main thread has exited (forksafe reads it through a live
# thread; should lsof list nothing for it, as `lsof -p` does, that
# thread's maps are the oracle) and SysV shared memory in an
# IPC namespace of its own, so segment 0 exists.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/../integration/lib.sh"

if ! command -v lsof >/dev/null; then
	echo "skipped: lsof is not installed (./dev installs it)"
	exit 77
fi
if [ "$(id -u)" != 0 ]; then
	echo "skipped: lsof and forksafe see every process only as root"
	exit 77
fi

cp "$TESTLIB" "$T/gone.so"
start_mapper "$T/ready1" "$TESTLIB" "$TESTLIB2"
M1=$MAPPER_PID
start_mapper "$T/ready2" "$T/gone.so"
M2=$MAPPER_PID
rm "$T/gone.so"
# a process whose main thread has exited: an empty /proc/PID/maps
"$BUILD_DIR/tests/scanhelper" lonely "$T/ready3" "$TESTLIB2" &
PIDS+=($!)
M3=$!
wait_for "$T/ready3" "$M3"

# IPC_PRIVATE segments, marked for removal once attached: /SYSV00000000 (deleted)
cat >"$T/shm.py" <<'EOF'
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
ids = []
for _ in range(3):
    sid = libc.shmget(0, 4096, 0o600)
    if sid < 0 or libc.shmat(sid, None, 0) in (None, 2**64 - 1):
        sys.exit("shm: " + os.strerror(ctypes.get_errno()))
    libc.shmctl(sid, 0, None)  # IPC_RMID
    ids.append(sid)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(" ".join(map(str, ids)))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(600)
EOF
unshare --ipc python3 "$T/shm.py" "$T/shm-ready" &
PIDS+=($!)
wait_for "$T/shm-ready" "$!"
S=$(pgrep -f -n "shm.py $T/shm-ready")
read -r -a SHMIDS <"$T/shm-ready"
verify "a fresh IPC namespace starts at segment 0" test "${SHMIDS[0]}" = 0

# start times from /proc, before the first scan and after the last
starts() {
	for s in /proc/[0-9]*/stat; do
		awk '{ sub(/^.*\) /, ""); print substr(FILENAME, 7, length(FILENAME) - 11), $20 }' "$s" 2>/dev/null
	done
}
starts >"$T/starts1"
"$FORKSAFE" ps --json >"$T/ps1" 2>"$T/ps1.err"
lsof -n -P -w -F ptfDi >"$T/lsof" 2>/dev/null
"$FORKSAFE" ps --json >"$T/ps2" 2>"$T/ps2.err"
starts >"$T/starts2"

out=$(python3 - "$T" "$M1" "$M2" "$M3" "$S" "${SHMIDS[@]}" <<'EOF'
import json, os, re, sys

t, s = sys.argv[1], int(sys.argv[5])
tests = [int(x) for x in sys.argv[2:6]]
shmids = [int(x) for x in sys.argv[6:]]

def starts(name):
    out = {}
    for line in open(os.path.join(t, name)):
        f = line.split()
        if len(f) == 2:
            out[int(f[0])] = f[1]
    return out

def ps(name):
    d = json.load(open(os.path.join(t, name)))
    return {p["pid"]: (p["start_time"], frozenset((i["dev"], i["ino"]) for i in p["images"]))
            for p in d["processes"]}

def lsof():
    procs, pid, fd, cur = {}, None, None, {}
    def flush():
        if pid is not None and fd in ("txt", "mem", "DEL", "ltx") and "D" in cur and "i" in cur:
            dev = int(cur["D"], 16)
            procs.setdefault(pid, set()).add((f"{os.major(dev)}:{os.minor(dev)}", int(cur["i"])))
    for line in open(os.path.join(t, "lsof"), errors="replace"):
        k, v = line[:1], line[1:].rstrip("\n")
        if k == "p":
            flush(); pid, fd, cur = int(v), None, {}
            procs.setdefault(pid, set())
        elif k == "f":
            flush(); fd, cur = v, {}
        elif k in "tDi":
            cur[k] = v
    flush()
    return procs

def readable(pid):
    try:
        open(f"/proc/{pid}/maps").read()
        return True
    except PermissionError:
        return False
    except OSError:
        return True

def thread_maps(pid):
    """A process whose main thread has exited shows an empty /proc/PID/maps
    and lsof lists nothing for it: its live threads' maps say what it maps."""
    try:
        if open(f"/proc/{pid}/maps").read():
            return None
        for tid in os.listdir(f"/proc/{pid}/task"):
            ids = set()
            for l in open(f"/proc/{pid}/task/{tid}/maps"):
                f = l.split(None, 5)
                if len(f) == 6 and f[5].startswith("/") and (f[3], f[4]) != ("00:00", "0"):
                    maj, mnr = (int(x, 16) for x in f[3].split(":"))
                    ids.add((f"{maj}:{mnr}", int(f[4])))
            if ids:
                return tid, ids
    except OSError:
        pass
    return None

def in_maps(pid, ident):
    maj, mnr = (int(x) for x in ident[0].split(":"))
    want = [f"{maj:02x}:{mnr:02x}", str(ident[1])]
    try:
        return any(l.split()[3:5] == want for l in open(f"/proc/{pid}/maps"))
    except OSError:
        return False

s1, s2 = starts("starts1"), starts("starts2")
p1, p2, lo = ps("ps1"), ps("ps2"), lsof()
stable = [pid for pid in p1 if pid in p2 and p1[pid] == p2[pid]
          and s1.get(pid) == s2.get(pid) == str(p1[pid][0])]
bad, compared = 0, 0
unreadable = json.load(open(os.path.join(t, "ps1")))["unreadable_processes"]
for pid in sorted(stable):
    mine = p1[pid][1]
    theirs = lo.get(pid)
    if not theirs and (alt := thread_maps(pid)):
        print(f"pid {pid}: its main thread has exited, lsof lists nothing; compared with /proc/{pid}/task/{alt[0]}/maps")
        theirs = alt[1]
    if theirs is None:
        print(f"pid {pid}: forksafe lists it, lsof does not"); bad += 1; continue
    compared += 1
    for ident in sorted(mine - theirs):
        print(f"pid {pid}: {ident[0]} ino {ident[1]} only in forksafe"); bad += 1
    for ident in sorted(theirs - mine):
        print(f"pid {pid}: {ident[0]} ino {ident[1]} only in lsof"); bad += 1
# a process lsof sees mapping files, alive through both scans, that ps left out
for pid, ids in sorted(lo.items()):
    if ids and pid not in p1 and pid not in p2 and pid in s1 and s1.get(pid) == s2.get(pid) \
            and pid != os.getpid():
        if not readable(pid) and unreadable > 0:
            print(f"pid {pid}: unreadable, even to root; counted by ps as unreadable")
            continue
        print(f"pid {pid}: lsof lists {len(ids)} mapped files, forksafe ps none"); bad += 1
for pid in tests:
    if pid not in stable:
        print(f"test process {pid} not compared"); bad += 1
shm = {i for i in p1.get(s, (0, frozenset()))[1] if i[1] in shmids and in_maps(s, i)}
if {i[1] for i in shm} != set(shmids):
    print(f"ps lists SysV segments {sorted(i[1] for i in shm)} of {s}, want {shmids}"); bad += 1
print(f"compared {compared} processes, {bad} differences")
sys.exit(1 if bad or compared < 3 else 0)
EOF
)
rc=$?
printf '%s\n' "$out"
expect_rc "ps --json agrees with lsof on every mapped file of every stable process" 0 "$rc"
finish
