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
# Instruction counts repeat where wall time is noisy.
if command -v valgrind >/dev/null 2>&1; then
  count() { KNEEGUARD_DB="$work/history.sqlite" KNEEGUARD_TODAY=2026-11-20 valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null | sed -n 's/.*Collected : //p'; }
  kg=./target/release/kneeguard
  base=$(count $kg activities --since 2000-01-01 --until 2000-01-01)
  weeks=$(count $kg weeks)
  r26=$(count $kg report -o "$work/cg26.html")
  r520=$(count $kg report --weeks 520 -o "$work/cg520.html")
  python3 -c "b,w,a,c=$base,$weeks,$r26,$r520; print(f'instructions: baseline {b/1e6:.0f} M, weeks {w/1e6:.0f} M ({w/b:.2f}x), report {a/1e6:.0f} M ({a/b:.2f}x), report --weeks 520 {c/1e6:.0f} M ({c/b:.2f}x)')"
else
  echo "valgrind not installed: instruction counts skipped"
fi
