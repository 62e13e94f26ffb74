#!/usr/bin/env bash
# `weeks`, `status`, `plan` and the import of one new run as whole processes on a generated
# 30-year history (about 12,500 activities and 1,500 pain ratings, examples/make_history.rs),
# against the floor measured in the same run: starting the binary and opening the database
# (`activities` for one empty day, which reads the local-date index). Medians of rounds that
# run every command in turn; one core (`taskset -c 0`).
#   bash benches/load.sh [YEARS]      (default 30; RUNS=30; needs python3 and taskset)
set -euo pipefail
cd "$(dirname "$0")/.."
years=${1:-30}
runs=${RUNS:-30}
cargo build --release --quiet --bin kneeguard --example make_history --example make_archive
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
./target/release/examples/make_history "$work/history.sqlite" "$years"
./target/release/examples/make_archive "$work/one.zip" 1 2>/dev/null
python3 - "$work/history.sqlite" "$runs" "$work/one.zip" <<'PY'
import os, shutil, statistics, subprocess, sys, time
db, runs, one = sys.argv[1], int(sys.argv[2]), sys.argv[3]
kg = "./target/release/kneeguard"
env = dict(os.environ, KNEEGUARD_DB=db, KNEEGUARD_TODAY="2026-11-20")
commands = {
    "floor (start, open, list one empty day)": ["activities", "--since", "2000-01-01", "--until", "2000-01-01"],
    "activities for one week": ["activities", "--since", "2026-11-09", "--until", "2026-11-15"],
    "weeks": ["weeks"],
    "weeks --weeks 520 --format json": ["weeks", "--weeks", "520", "--format", "json"],
    "check": ["check"],
    "status": ["status"],
    "plan": ["plan"],
}
def once(args):
    start = time.perf_counter()
    subprocess.run(["taskset", "-c", "0", kg, *args], env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)
    return (time.perf_counter() - start) * 1000

# One warm-up round, then the commands in turn, so that a slow spell of the shared machine
# falls on every command alike.
for args in commands.values():
    once(args)
# Importing one new run writes: it gets a fresh copy of the history each round (the copy is
# not timed).
IMPORT = "import one new run (a copy of the history)"
copy = db + ".copy"
def import_one():
    for ext in ("-wal", "-shm"):
        if os.path.exists(copy + ext):
            os.remove(copy + ext)
    shutil.copyfile(db, copy)
    start = time.perf_counter()
    subprocess.run(["taskset", "-c", "0", kg, "--db", copy, "import", "--quiet", one], env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return (time.perf_counter() - start) * 1000
times = {name: [] for name in [*commands, IMPORT]}
for _ in range(runs):
    for name, args in commands.items():
        times[name].append(once(args))
    times[IMPORT].append(import_one())
results = {name: statistics.median(t) for name, t in times.items()}
base = results["floor (start, open, list one empty day)"]
for name, ms in results.items():
    print(f"{name:<42} median {ms:7.1f} ms  ({ms / base:4.2f}x the floor)")
print(f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
PY

# Instruction counts are repeatable on a busy machine; the database's share of each command
# is the inclusive count of `Store::activities` and `Store::pain_entries`, read from the symbols
# of the profiling build (the release binary is stripped).
if command -v valgrind >/dev/null 2>&1; then
  cargo build --profile profiling --quiet --bin kneeguard
  export KNEEGUARD_DB="$work/history.sqlite" KNEEGUARD_TODAY=2026-11-20
  for args in "activities --since 2000-01-01 --until 2000-01-01" weeks status plan; do
    valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" ./target/profiling/kneeguard $args \
      >/dev/null 2>"$work/cg.err"
    total=$(sed -n 's/.*Collected : //p' "$work/cg.err")
    db=$(callgrind_annotate --inclusive=yes "$work/cg.out" 2>/dev/null \
      | grep -E "src/db/mod.rs:kneeguard::db::Store::(activities|pain_entries)$" \
      | awk '{gsub(",", "", $1); s += $1} END {print s + 0}' || true)
    python3 -c "t,d=$total,$db; print(f'instructions, {\"$args\"[:40]:<40} {t/1e6:7.1f} M, of them the database reads {d/1e6:6.1f} M')"
  done
fi
