#!/usr/bin/env bash
# Peak memory and time of the real binary on hostile files, against a baseline measured in the
# same run: the same process importing one small real TCX file.
#   bash benches/hostile.sh            (needs python3; RUNS=5 runs each, medians)
# Inputs, generated here and removed afterwards: a 5 MB TCX flood of empty activities, a 5 MB
# flood of empty trackpoints, and the 5 MB activity flood named .gpx. The bound: peak RSS at
# most the file size + 32 MB, and nothing stored from a flood; the script fails when either is
# broken.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
cargo build --release --quiet --bin kneeguard
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$work" "$runs" <<'PY'
import os, sqlite3, statistics, sys, time
work, runs = sys.argv[1], int(sys.argv[2])
kg = "./target/release/kneeguard"
head = '<?xml version="1.0"?><TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"><Activities>'
tail = '</Activities></TrainingCenterDatabase>'
def flood(name, body, unit):
    n = (5_000_000 - len(head) - len(tail)) // len(unit)
    path = os.path.join(work, name)
    with open(path, "w") as f:
        f.write(head + body(unit * n) + tail)
    return path
files = {
    "activity flood (.tcx)": flood("activities.tcx", lambda x: x, "<Activity/>"),
    "trackpoint flood (.tcx)": flood("points.tcx", lambda x: '<Activity Sport="Running"><Lap><Track>' + x + '</Track></Lap></Activity>', "<Trackpoint/>"),
    "activity flood named .gpx": flood("activities.gpx", lambda x: x, "<Activity/>"),
    "baseline: one real TCX run": "tests/fixtures/tcx/test.tcx",
}
env = dict(os.environ, KNEEGUARD_TODAY="2026-11-22")
def measure(path):
    db = os.path.join(work, "bench.sqlite")
    for ext in ("", "-wal", "-shm"):
        if os.path.exists(db + ext):
            os.remove(db + ext)
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        try:
            os.execve(kg, [kg, "--db", db, "import", "--quiet", path], env)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"kneeguard import {path} failed")
    with sqlite3.connect(db) as conn:
        stored = conn.execute("SELECT count(*) FROM activities").fetchone()[0]
    return wall, usage.ru_maxrss / 1024, stored
results = {}
for _ in range(runs):
    for name, path in files.items():
        results.setdefault(name, []).append(measure(path))
baseline = "baseline: one real TCX run"
base_rss = statistics.median(r for _, r, _ in results[baseline])
print(f"{'input':32} {'size MB':>8} {'time s':>8} {'peak MB':>8} {'vs baseline':>12} {'bound MB':>9} {'stored':>7}")
broken = []
for name, path in files.items():
    size = os.path.getsize(path) / 1e6
    wall = statistics.median(w for w, _, _ in results[name])
    rss = statistics.median(r for _, r, _ in results[name])
    stored = max(s for _, _, s in results[name])
    bound = size + 32
    flood = name != baseline
    if flood and rss > bound:
        broken.append(f"{name}: peak {rss:.1f} MB over the bound of {bound:.1f} MB")
    if stored != (0 if flood else 1):
        broken.append(f"{name}: {stored} activities stored")
    print(f"{name:32} {size:8.2f} {wall:8.3f} {rss:8.1f} {rss - base_rss:+11.1f} {bound:9.1f} {stored:7}")
if broken:
    sys.exit("\n".join(broken))
PY
