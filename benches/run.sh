#!/usr/bin/env bash
# Process-level import benchmark: throughput (MB/s, files/s) and peak memory of the real
# binary, against fitparser's streaming decode of the same files measured in the same run.
#   bash benches/run.sh [COUNT]        (default 1000 files; needs python3 for the peak memory)
# The in-process comparison is `cargo bench --bench import`.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000}
runs=${RUNS:-5}
cargo build --release --quiet --bin kneeguard --example make_archive --example fit_decode
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
./target/release/examples/make_archive "$work/runs.zip" "$count"

python3 - "$work" "$count" "$runs" <<'PY'
import os, resource, statistics, subprocess, sys, time
work, count, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
archive = os.path.join(work, "runs.zip")
kg = "./target/release/kneeguard"
env = dict(os.environ, KNEEGUARD_TODAY="2026-11-22")

def measure(args, db):
    """Wall time and peak RSS (MB) of one child process."""
    if os.path.exists(db):
        os.remove(db)
    for ext in ("-wal", "-shm"):
        if os.path.exists(db + ext):
            os.remove(db + ext)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.execve(kg, [kg, "--db", db, *args], env)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        sys.exit(f"kneeguard {' '.join(args)} failed")
    return wall, usage.ru_maxrss / 1024

def decode_baseline():
    out = subprocess.run(["./target/release/examples/fit_decode", archive],
                         capture_output=True, text=True, check=True).stdout.split()
    return int(out[0]), float(out[1])

fit_bytes = None
decode, imports, rss = [], [], []
for i in range(runs):
    fit_bytes, secs = decode_baseline()
    decode.append(secs)
    wall, peak = measure(["import", "--quiet", archive], os.path.join(work, "bench.sqlite"))
    imports.append(wall)
    rss.append(peak)
mb = fit_bytes / 1e6
d, w = statistics.median(decode), statistics.median(imports)
print(f"archive: {count} FIT files, {mb:.1f} MB of FIT data; {runs} runs, medians")
print(f"fitparser streaming decode : {mb / d:6.2f} MB/s")
print(f"kneeguard import (process) : {mb / w:6.2f} MB/s, {count / w:6.0f} files/s, {w:.2f} s")
print(f"import / decode speed      : {d / w * 100:5.1f} %")
print(f"peak memory (max RSS)      : {statistics.median(rss):.1f} MB (max {max(rss):.1f})")

corpus = os.path.join("..", "shared", "data")
if os.path.isdir(corpus):
    size = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(corpus)
               for f in fs if not f.endswith(".tsv"))
    walls, peaks = [], []
    for i in range(runs):
        wall, peak = measure(["import", "--quiet", corpus], os.path.join(work, "corpus.sqlite"))
        walls.append(wall); peaks.append(peak)
    w = statistics.median(walls)
    print(f"shared corpus ({size / 1e6:.1f} MB)  : {size / 1e6 / w:6.2f} MB/s, {w:.2f} s, "
          f"peak {statistics.median(peaks):.1f} MB")
else:
    print("shared corpus: ../shared/data not present, skipped")
PY

# Instruction counts are repeatable on a busy machine: the same comparison under callgrind.
if command -v valgrind >/dev/null 2>&1; then
  ./target/release/examples/make_archive "$work/small.zip" 50 2>/dev/null
  count() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null | sed -n 's/.*Collected : //p'; }
  base=$(count ./target/release/examples/fit_decode "$work/small.zip")
  imp=$(count ./target/release/kneeguard --db "$work/cg.sqlite" import --quiet "$work/small.zip")
  python3 -c "b,i=$base,$imp; print(f'instructions, 50 files: decode {b/1e6:.0f} M, import {i/1e6:.0f} M -> import at {b/i*100:.1f} % of decode speed')"
else
  echo "valgrind not installed: instruction-count comparison skipped"
fi
