#!/usr/bin/env bash
# `weeks`, `check`, `status` and `plan` as whole processes on a generated ten-year history (~4,000 activities),
# against the cost of starting the binary and opening the database (`activities` for a day with
# nothing on it), measured in the same run. Targets: under 100 ms each; `status` and `plan`
# within 3x the baseline.
#   bash benches/load.sh          (needs python3)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-30}
cargo build --release --quiet --bin kneeguard --example make_history
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
./target/release/examples/make_history "$work/history.sqlite"
python3 - "$work/history.sqlite" "$runs" <<'PY'
import os, statistics, subprocess, sys, time
db, runs = sys.argv[1], int(sys.argv[2])
kg = "./target/release/kneeguard"
env = dict(os.environ, KNEEGUARD_DB=db, KNEEGUARD_TODAY="2026-11-20")
commands = {
    "baseline (open db, list one empty day)": ["activities", "--since", "2000-01-01", "--until", "2000-01-01"],
    "weeks": ["weeks"],
    "weeks --weeks 520 --format json": ["weeks", "--weeks", "520", "--format", "json"],
    "check": ["check"],
    "check --since 10 years ago": ["check", "--since", "2016-11-21", "--format", "json"],
    "status": ["status"],
    "plan": ["plan"],
    "plan --format json": ["plan", "--format", "json"],
}
results = {}
for name, args in commands.items():
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([kg, *args], env=env, stdout=subprocess.DEVNULL, check=False)
        times.append((time.perf_counter() - start) * 1000)
    results[name] = statistics.median(times)
base = results["baseline (open db, list one empty day)"]
for name, ms in results.items():
    print(f"{name:<42} median {ms:7.1f} ms  ({ms / base:4.2f}x baseline)")
PY
