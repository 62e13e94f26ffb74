#!/usr/bin/env bash
# Process-level import benchmark of the real binary: MB/s, files/s, peak memory and
# instructions per input byte, each against fitparser's streaming decode of the same bytes
# measured in the same run (`examples/fit_decode.rs`). One core is `taskset -c 0`.
#   bash benches/run.sh [COUNT]    (default 1000 files; RUNS=5; needs python3, taskset and,
#                                   for the peaks GNU time, for the instruction counts valgrind)
# Rows: the 1,000-file archive (examples/make_archive.rs) on one and two cores; the running FIT
# files of ../shared/data; its GPX and TCX files on one core; one 50 MB chained FIT file (peak
# memory must stay within its size + 32 MB). The in-process comparison is
# `cargo bench --bench import`.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000}
runs=${RUNS:-5}
cargo build --release --quiet --bin kneeguard --example make_archive --example fit_decode
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
./target/release/examples/make_archive "$work/runs.zip" "$count" 2>/dev/null
./target/release/examples/make_archive "$work/small.zip" 50 2>/dev/null
./target/release/examples/make_archive --chained "$work/huge.fit" 50 2>/dev/null

python3 - "$work" "$count" "$runs" <<'PY'
import csv, os, shutil, statistics, subprocess, sys, time, zipfile
work, count, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
kg = os.path.abspath("./target/release/kneeguard")
decoder = os.path.abspath("./target/release/examples/fit_decode")
env = dict(os.environ, KNEEGUARD_TODAY="2026-11-22")
ONE, TWO = ["taskset", "-c", "0"], ["taskset", "-c", "0,1"]

def fresh(db):
    for ext in ("", "-wal", "-shm"):
        if os.path.exists(db + ext):
            os.remove(db + ext)

QUIET = [(os.POSIX_SPAWN_OPEN, fd, os.devnull, os.O_WRONLY, 0) for fd in (1, 2)]

def spawn(cmd):
    """Runs cmd to its end; its wall time. It is spawned (posix_spawn), not forked: a fork
    copies this Python process first, about 2 ms that would count as the child's."""
    start = time.perf_counter()
    pid = os.posix_spawnp(cmd[0], cmd, env, file_actions=QUIET)
    _, status, _ = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed")
    return wall

def process(cmd, db=None):
    """Wall time of one child process, into a fresh database `db` when given."""
    if db:
        fresh(db)
    return spawn(cmd)

def peak(cmd, db=None):
    """Peak RSS (MB) of one more run, by GNU time. A child reports at least the memory of the
    process it was started from (Linux keeps the high-water mark across exec): from this
    Python process that is some 12 MB, from `time` under 2 MB."""
    if not shutil.which("time", path="/usr/bin"):
        return None
    if db:
        fresh(db)
    out = os.path.join(work, "peak.txt")
    spawn(["/usr/bin/time", "-f", "%M", "-o", out] + cmd)
    with open(out) as f:
        return int(f.read().split()[-1]) / 1024

def decode(archive):
    """fitparser's streaming decode of every FIT file of a zip, timed in-process, one core."""
    out = subprocess.run(ONE + [decoder, archive], capture_output=True, text=True,
                         check=True).stdout.split()
    return float(out[1])

def import_cmd(cores, path, db):
    return cores + [kg, "--db", db, "import", "--quiet", path]

def fit_bytes(archive):
    with zipfile.ZipFile(archive) as z:
        return sum(i.file_size for i in z.infolist()), len(z.infolist())

rows = []
def row(what, mb, files, walls, peak_mb, base=None):
    w = statistics.median(walls)
    rows.append((what, mb / w, files / w, peak_mb, None if base is None else base / w))

db = os.path.join(work, "bench.sqlite")
archive = os.path.join(work, "runs.zip")
size, files = fit_bytes(archive)
mb = size / 1e6
decodes, one, two = [], [], []
for _ in range(runs):
    decodes.append(decode(archive))
    one.append(process(import_cmd(ONE, archive, db), db))
    two.append(process(import_cmd(TWO, archive, db), db))
d = statistics.median(decodes)
rows.append((f"fitparser streaming decode, {files} files", mb / d, files / d, None, 1.0))
row(f"import, {files}-file archive, 1 core", mb, files, one,
    peak(import_cmd(ONE, archive, db), db), d)
row(f"import, {files}-file archive, 2 cores", mb, files, two,
    peak(import_cmd(TWO, archive, db), db), d)
two_vs_one = statistics.median(one) / statistics.median(two)

# What the machine itself gives a second core: one fitparser decode alone against two at once,
# one on each core (independent processes, nothing shared but the machine).
small = os.path.join(work, "small.zip")
def decodes_at_once(cores):
    start = time.perf_counter()
    children = [subprocess.Popen(["taskset", "-c", c, decoder, small],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                for c in cores]
    for child in children:
        child.wait()
    return time.perf_counter() - start
alone = statistics.median(decodes_at_once(["0"]) for _ in range(runs))
pair = statistics.median(decodes_at_once(["0", "1"]) for _ in range(runs))
machine_scaling = 2 * alone / pair

corpus = os.path.join("..", "shared", "data")
if os.path.isdir(corpus):
    with open(os.path.join(corpus, "MANIFEST.tsv")) as f:
        manifest = list(csv.DictReader(f, delimiter="\t"))
    running = [r["file"] for r in manifest if r["format"] == "fit" and r["sport"] == "running"]
    zpath = os.path.join(work, "running.zip")
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_STORED) as z:
        for i, name in enumerate(running):
            z.write(os.path.join(corpus, name), f"{i:03}-{os.path.basename(name)}")
    size, files = fit_bytes(zpath)
    decodes, imports = [], []
    for _ in range(runs):
        decodes.append(decode(zpath))
        imports.append(process(import_cmd(ONE, zpath, db), db))
    d = statistics.median(decodes)
    rows.append((f"fitparser streaming decode, {files} corpus running FIT", size / 1e6 / d,
                 files / d, None, 1.0))
    row(f"import, {files} corpus running FIT files, 1 core", size / 1e6, files, imports,
        peak(import_cmd(ONE, zpath, db), db), d)
    # The same into a database that exists already (created once by an import of nothing), as
    # every import after a runner's first one is: without creating the file.
    empty_dir = os.path.join(work, "nothing")
    os.makedirs(empty_dir, exist_ok=True)
    template = os.path.join(work, "template.sqlite")
    process(import_cmd(ONE, empty_dir, template), template)
    def into_existing(measure):
        fresh(db)
        shutil.copy(template, db)
        return measure(import_cmd(ONE, zpath, db))
    existing = [into_existing(process) for _ in range(runs)]
    row(f"  the same into an existing empty database", size / 1e6, files, existing,
        into_existing(peak), d)
    for kind in ("gpx", "tcx"):
        folder = os.path.join(corpus, kind)
        names = [os.path.join(dp, f) for dp, _, fs in os.walk(folder) for f in fs]
        size = sum(os.path.getsize(n) for n in names)
        walls = [process(import_cmd(ONE, folder, db), db) for _ in range(runs)]
        row(f"import, {len(names)} corpus {kind.upper()} files, 1 core", size / 1e6,
            len(names), walls, peak(import_cmd(ONE, folder, db), db))
else:
    print("../shared/data not present: the corpus rows are skipped")

huge = os.path.join(work, "huge.fit")
size = os.path.getsize(huge)
walls = [process(import_cmd(TWO, huge, db), db) for _ in range(runs)]
huge_peak = peak(import_cmd(TWO, huge, db), db)
row(f"import, one chained FIT file of {size / 1e6:.0f} MB", size / 1e6, 1, walls, huge_peak)

print(f"{runs} runs, medians; baseline: fitparser's streaming decode of the same bytes, "
      "one core, in the same run")
print(f"{'what':<52} {'MB/s':>7} {'files/s':>8} {'peak MB':>8} {'vs decode':>9}")
for what, mbs, fps, peak, ratio in rows:
    peak_text = "" if peak is None else f"{peak:.1f}"
    ratio_text = "" if ratio is None else f"{ratio:.2f}x"
    print(f"{what:<52} {mbs:7.1f} {fps:8.1f} {peak_text:>8} {ratio_text:>9}")
print(f"two cores / one core on the archive: {two_vs_one:.2f}x "
      f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores); the machine's own "
      f"scaling, two independent decodes at once against one alone: {machine_scaling:.2f}x")
limit = size / 2**20 + 32
if huge_peak is None:
    print("/usr/bin/time not installed: peak memory not measured")
else:
    print(f"chained file: peak {huge_peak:.1f} MiB, limit {limit:.1f} MiB (file + 32 MiB): "
          + ("within" if huge_peak <= limit else "OVER"))
PY

# Instruction counts are repeatable on a busy machine: the same comparison under callgrind.
if command -v valgrind >/dev/null 2>&1; then
  # `import` exits 1 when an input is damaged (the corpus has such files): not a failure here.
  count() { { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null || true; } | sed -n 's/.*Collected : //p'; }
  for zip in "$work/small.zip" "$work/running.zip"; do
    [ -f "$zip" ] || continue
    bytes=$(python3 -c "import zipfile,sys; print(sum(i.file_size for i in zipfile.ZipFile(sys.argv[1]).infolist()))" "$zip")
    base=$(count ./target/release/examples/fit_decode "$zip")
    rm -f "$work"/cg.sqlite*
    imp=$(count ./target/release/kneeguard --db "$work/cg.sqlite" import --quiet "$zip")
    python3 -c "b,i,n='$base $imp $bytes'.split(); b,i,n=int(b),int(i),int(n); print(f'instructions, $(basename "$zip") ({n/1e6:.1f} MB): fitparser decode {b/n:.0f} per byte, import (whole process) {i/n:.0f} per byte: {b/i:.2f}x fewer')"
  done
else
  echo "valgrind not installed: instruction counts skipped"
fi
