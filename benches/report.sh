#!/usr/bin/env bash
# `report` as a whole process on a generated ten-year history (~4,000 activities): the default
# half year and all 520 weeks, against the cost of starting the binary and opening the database
# (`activities` for a day with nothing on it) and against `weeks` on the same history, measured
# in the same run; and the size of the pages. Targets: under 200 ms, under 2 MB.
#   bash benches/report.sh          (needs python3; RUNS=30 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-30}
cargo build --release --quiet --bin kneeguard --example make_history
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
./target/release/examples/make_history "$work/history.sqlite"
python3 - "$work" "$runs" <<'PY'
import os, statistics, subprocess, sys, time
work, runs = sys.argv[1], int(sys.argv[2])
kg = os.path.abspath("./target/release/kneeguard")
env = dict(os.environ, KNEEGUARD_DB=os.path.join(work, "history.sqlite"), KNEEGUARD_TODAY="2026-11-20")
commands = {
    "baseline (open db, list one empty day)": ["activities", "--since", "2000-01-01", "--until", "2000-01-01"],
    "weeks": ["weeks"],
    "report (26 weeks)": ["report", "-o", os.path.join(work, "r26.html")],
    "report --weeks 520 (ten years)": ["report", "--weeks", "520", "-o", os.path.join(work, "r520.html")],
    "report --weeks 520 --format json": ["report", "--weeks", "520", "--format", "json"],
}
results = {}
for name, args in commands.items():
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([kg, *args], env=env, stdout=subprocess.DEVNULL, check=True)
        times.append((time.perf_counter() - start) * 1000)
    results[name] = statistics.median(times)
base = results["baseline (open db, list one empty day)"]
for name, ms in results.items():
    print(f"{name:<40} median {ms:7.1f} ms  ({ms / base:5.2f}x baseline)")
for name in ["r26.html", "r520.html"]:
    size = os.path.getsize(os.path.join(work, name))
    print(f"{name:<40} {size / 1e6:7.2f} MB")
PY
