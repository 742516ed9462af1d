#!/usr/bin/python3
"""One resistor solve, plnet vs scipy.sparse.linalg.spsolve vs ngspice, on the same networks.

Run with Debian's /usr/bin/python3 (numpy/scipy from python3-numpy, python3-scipy) after
building the benchmarks (docs/benchmarks.md):

    /usr/bin/python3 benchmarks/compare_solve.py [--quick | --sizes 300 3000 ...]
        [--bench-binary build/plnet_bench] [--out results.json]

For every N the circuit is: the random planar network of benchmarks/solve_bench.cpp
(graph::random_planar, remove_fraction 0.2, seed 1; conductances k log-uniform in
[0.01, 1] S), node 0 grounded, an ideal 1 V source from ground to node n-1, and 1 A injected
into node n/2. Units: volts, amperes, siemens; times in milliseconds (wall clock).

What is timed (best of k repeats, k by size, all on one thread):
  plnet cold       BM_SolveCold: resistor model + physics::solve (pattern, scatter map,
                   symbolic analysis, numeric factorisation, refined solve).
  plnet refactor   BM_Refactor: numeric refactorisation + solve with the pattern and the
                   symbolic analysis reused (the per-step cost of a training loop).
  plnet assembled  BM_SolveAssembled: analysis + factorisation + solve from an assembled
                   reduced matrix (like-for-like with scipy's solve-only time).
  scipy total      edge arrays -> COO -> CSR Laplacian, free block and right-hand side by
                   slicing, spsolve, full voltage vector (what a researcher would write).
  scipy solve      the spsolve call alone, on the assembled CSR matrix.
  ngspice          the whole `ngspice -b -r out.raw net.cir` process (netlist parsing, .op,
                   raw-file output); netlist writing is not timed.

One thread everywhere: OMP_NUM_THREADS, OPENBLAS_NUM_THREADS, MKL_NUM_THREADS and
OMP_THREAD_LIMIT are set to 1 before numpy is imported and in every subprocess's environment.
OMP_THREAD_LIMIT is needed because Debian's CHOLMOD (SuiteSparse 5.12) requests 4 OpenMP
threads in its supernodal factorisation regardless of OMP_NUM_THREADS.

Correctness is checked in the same run: the node voltages of plnet (written by the benchmark
binary through PLNET_BENCH_EXPORT_DIR), scipy and ngspice are compared pairwise by the
normwise relative difference max_i |a_i - b_i| / max_i |b_i|.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_THREAD_LIMIT"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import ctypes  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import shutil  # noqa: E402
import struct  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import scipy  # noqa: E402
import scipy.sparse as sp  # noqa: E402
import scipy.sparse.linalg as spla  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SIZES = [300, 3000, 30000, 300000, 1000000]
QUICK_SIZES = [300, 3000, 30000]
# Issue targets (one core): plnet at least this many times faster than the baseline.
TARGETS = {1000000: {"scipy": 8.0}, 30000: {"scipy": 10.0, "ngspice": 500.0}}


def repeats(n):
    """Best-of-k repeat count for the Python-side baselines, by size."""
    if n <= 3000:
        return 7
    if n <= 30000:
        return 5
    if n <= 300000:
        return 3
    return 2


# ---------------------------------------------------------------------------- environment


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def loaded_blas():
    """Shared libraries with BLAS/LAPACK in their name mapped into this (numpy) process."""
    np.dot(np.ones((64, 64)), np.ones((64, 64)))  # make sure the BLAS is loaded
    libs = set()
    for line in Path("/proc/self/maps").read_text().splitlines():
        path = line.split()[-1]
        name = os.path.basename(path).lower()
        # Shared libraries only (not scipy's _fblas extension modules that wrap them).
        if path.startswith("/") and name.startswith("lib") and any(
                s in name for s in ("blas", "lapack", "mkl", "blis", "atlas")):
            libs.add(os.path.realpath(path))
    info = []
    for lib in sorted(libs):
        text = lib
        try:
            handle = ctypes.CDLL(lib)
            if hasattr(handle, "openblas_get_num_threads"):
                text += f" (openblas threads={handle.openblas_get_num_threads()})"
        except OSError:
            pass
        info.append(text)
    return info


def binary_blas(binary):
    """BLAS libraries the benchmark binary resolves (ldd), with symlinks resolved."""
    try:
        out = subprocess.run(["ldd", str(binary)], capture_output=True, text=True,
                             check=True).stdout
    except (OSError, subprocess.CalledProcessError) as err:
        return [f"ldd failed: {err}"]
    libs = []
    for line in out.splitlines():
        if "=>" in line and any(s in line.lower() for s in ("blas", "lapack", "cholmod", "gomp")):
            name, rest = line.split("=>", 1)
            path = rest.split("(")[0].strip()
            libs.append(f"{name.strip()} -> {os.path.realpath(path)}")
    return libs


def child_env(**extra):
    env = dict(os.environ)
    env.update(extra)
    return env


# ---------------------------------------------------------------------------- plnet


def run_plnet(binary, sizes, export_dir, repetitions):
    """Runs the Google Benchmark binary once for all sizes; returns (times, context).

    times[family][n] is the best (minimum over repetitions) real time in ms."""
    families = ("BM_SolveCold", "BM_Refactor", "BM_SolveAssembled")
    size_re = "|".join(str(n) for n in sizes)
    cmd = [str(binary), f"--benchmark_filter=^({'|'.join(families)})/({size_re})$",
           "--benchmark_format=json", f"--benchmark_repetitions={repetitions}"]
    env = child_env(PLNET_BENCH_EXPORT_DIR=str(export_dir),
                    PLNET_BENCH_SIZES=",".join(str(n) for n in sizes))
    print(f"running: {' '.join(cmd)}", flush=True)
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        sys.exit(f"compare_solve: benchmark binary failed ({proc.returncode}):\n{proc.stderr}")
    report = json.loads(proc.stdout)
    scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}
    times = {f: {} for f in families}
    counters = {}
    for b in report["benchmarks"]:
        if b.get("run_type", "iteration") != "iteration" or b.get("error_occurred"):
            continue
        family, n = b["run_name"].split("/")[:2]
        n = int(n)
        t = b["real_time"] * scale[b["time_unit"]]
        times[family][n] = min(t, times[family].get(n, float("inf")))
        counters[n] = {k: b[k] for k in ("N", "edges", "nnz") if k in b}
        if "label" in b and family == "BM_Refactor":
            counters[n]["backend"] = b["label"]
    return times, counters, report.get("context", {})


# ---------------------------------------------------------------------------- network files


def read_network(path):
    """Reads planar_<N>.txt: header '# key value...' lines, then 'a b k' per edge."""
    header = {}
    with open(path) as f:
        for line in f:
            if not line.startswith("#"):
                break
            key, *values = line[1:].split()
            header[key] = values
    data = np.loadtxt(path, comments="#", dtype=np.float64, ndmin=2)
    a = data[:, 0].astype(np.int64)
    b = data[:, 1].astype(np.int64)
    k = data[:, 2].copy()
    n = int(header["nodes"][0])
    circuit = {
        "n": n,
        "ground": int(header["ground"][0]),
        "source": int(header["source"][0]),
        "volts": float(header["source"][1]),
        "inject": int(header["inject"][0]),
        "amps": float(header["inject"][1]),
    }
    assert len(k) == int(header["edges"][0]), f"{path}: edge count does not match header"
    return a, b, k, circuit


# ---------------------------------------------------------------------------- scipy


def scipy_solve(a, b, k, c):
    """The researcher's script: returns (voltages, total seconds, spsolve seconds)."""
    t0 = time.perf_counter()
    n = c["n"]
    rows = np.concatenate([a, b, a, b])
    cols = np.concatenate([a, b, b, a])
    vals = np.concatenate([k, k, -k, -k])
    lap = sp.coo_matrix((vals, (rows, cols)), shape=(n, n)).tocsr()
    held = np.array([c["ground"], c["source"]])
    held_values = np.array([0.0, c["volts"]])
    free = np.ones(n, dtype=bool)
    free[held] = False
    lap_free = lap[free]
    matrix = lap_free[:, free]
    current = np.zeros(n)
    current[c["inject"]] += c["amps"]
    rhs = current[free] - lap_free[:, held] @ held_values
    t1 = time.perf_counter()
    x_free = spla.spsolve(matrix, rhs)
    t2 = time.perf_counter()
    v = np.empty(n)
    v[free] = x_free
    v[held] = held_values
    t3 = time.perf_counter()
    return v, t3 - t0, t2 - t1


# ---------------------------------------------------------------------------- ngspice


def write_netlist(path, a, b, k, c):
    with open(path, "w") as f:
        f.write(f"* plnet compare_solve: random planar network, {c['n']} nodes, {len(k)} edges\n")
        r = 1.0 / k
        lines = [f"R{i} {a[i]} {b[i]} {r[i]:.17g}\n" for i in range(len(k))]
        f.writelines(lines)
        # SPICE node 0 is ground, which is our node c["ground"] == 0.
        f.write(f"V1 {c['source']} 0 DC {c['volts']:.17g}\n")
        # Current flows from the first node through the source into the second.
        f.write(f"I1 0 {c['inject']} DC {c['amps']:.17g}\n")
        f.write(".op\n.end\n")


def read_raw(path, n):
    """Node voltages from an ngspice binary raw file of an .op analysis (node 0 = ground)."""
    blob = Path(path).read_bytes()
    marker = b"Binary:\n"
    pos = blob.index(marker)
    header = blob[:pos].decode("ascii", errors="replace").splitlines()
    nvars = int(next(h for h in header if h.startswith("No. Variables:")).split(":")[1])
    names = []
    start = header.index("Variables:") + 1
    for line in header[start:start + nvars]:
        names.append(line.split()[1].lower())
    values = struct.unpack_from(f"<{nvars}d", blob, pos + len(marker))
    v = np.zeros(n)
    seen = 0
    for name, value in zip(names, values):
        if name.startswith("v(") and name.endswith(")"):
            v[int(name[2:-1])] = value
            seen += 1
    if seen != n - 1:
        raise RuntimeError(f"{path}: {seen} node voltages for {n - 1} non-ground nodes")
    return v


def ngspice_solve(netlist, raw, n, timeout, repeats_ng):
    """Returns (voltages or None, best seconds or None, status)."""
    best = None
    for _ in range(repeats_ng):
        if raw.exists():
            raw.unlink()
        t0 = time.perf_counter()
        try:
            proc = subprocess.run(["ngspice", "-b", "-r", str(raw), str(netlist)],
                                  capture_output=True, text=True, timeout=timeout,
                                  env=child_env())
        except subprocess.TimeoutExpired:
            return None, None, f"timeout ({timeout:g} s)"
        elapsed = time.perf_counter() - t0
        if proc.returncode != 0 or not raw.exists():
            return None, None, f"failed (exit {proc.returncode}): {proc.stderr.strip()[-300:]}"
        best = elapsed if best is None else min(best, elapsed)
    return read_raw(raw, n), best, "ok"


# ---------------------------------------------------------------------------- report


def rel_diff(x, ref):
    if x is None or ref is None:
        return None
    return float(np.max(np.abs(x - ref)) / np.max(np.abs(ref)))


def fmt(value, spec=".3g"):
    return "-" if value is None else format(value, spec)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", help="network sizes N")
    parser.add_argument("--quick", action="store_true", help=f"sizes {QUICK_SIZES}")
    parser.add_argument("--bench-binary", type=Path, default=REPO / "build" / "plnet_bench")
    parser.add_argument("--out", type=Path, help="write all numbers as JSON here")
    parser.add_argument("--repetitions", type=int, default=3,
                        help="Google Benchmark repetitions per plnet benchmark (best is used)")
    parser.add_argument("--ngspice-timeout", type=float, default=300.0, help="seconds per run")
    parser.add_argument("--no-ngspice", action="store_true")
    parser.add_argument("--workdir", type=Path,
                        help="keep network files, netlists and raw files here (default: a "
                             "temporary directory, removed at exit)")
    parser.add_argument("--malloc-hugetlb", action="store_true",
                        help="run everything (this script included, by re-executing it) with "
                             "GLIBC_TUNABLES=glibc.malloc.hugetlb=1: glibc backs large "
                             "allocations with transparent huge pages (fewer page faults)")
    args = parser.parse_args()
    if args.malloc_hugetlb and "glibc.malloc.hugetlb=1" not in os.environ.get("GLIBC_TUNABLES",
                                                                             ""):
        tunables = ":".join(filter(None, [os.environ.get("GLIBC_TUNABLES"),
                                          "glibc.malloc.hugetlb=1"]))
        os.execve(sys.executable, [sys.executable, *sys.argv],
                  child_env(GLIBC_TUNABLES=tunables))
    sizes = args.sizes or (QUICK_SIZES if args.quick else DEFAULT_SIZES)
    if any(n < 3 for n in sizes):
        parser.error("--sizes: every N must be >= 3")
    binary = args.bench_binary.resolve()
    if not binary.is_file():
        parser.error(f"--bench-binary: {binary} does not exist; build the plnet_bench target "
                     "(docs/benchmarks.md)")
    if not args.no_ngspice and shutil.which("ngspice") is None:
        parser.error("ngspice not found on PATH (install it or pass --no-ngspice)")

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="plnet_compare_"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        env_info = {
            "nproc": os.cpu_count(),
            "cpu": cpu_model(),
            "load_average": os.getloadavg(),
            "python": sys.version.split()[0],
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "numpy_blas": loaded_blas(),
            "plnet_libraries": binary_blas(binary),
            "threads": {v: os.environ[v] for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                                   "MKL_NUM_THREADS", "OMP_THREAD_LIMIT")},
            "glibc_tunables": os.environ.get("GLIBC_TUNABLES", ""),
        }
        print(f"machine: {env_info['nproc']} x {env_info['cpu']}, load average "
              f"{' '.join(f'{x:.2f}' for x in env_info['load_average'])}")
        print(f"numpy {np.__version__} / scipy {scipy.__version__} BLAS: "
              f"{'; '.join(env_info['numpy_blas']) or 'none found'}")
        print(f"plnet libraries (ldd): {'; '.join(env_info['plnet_libraries'])}")
        print(f"threads: {env_info['threads']}; GLIBC_TUNABLES="
              f"'{env_info['glibc_tunables']}'")

        times, counters, context = run_plnet(binary, sizes, workdir, args.repetitions)
        env_info["plnet_context"] = {k: v for k, v in context.items()
                                     if k.startswith("plnet") or k in ("library_build_type",
                                                                       "host_name")}
        print(f"plnet BLAS (from the binary): {context.get('plnet_blas', 'not reported')}")
        print(f"plnet OpenMP: {context.get('plnet_omp', 'not reported')}")

        results = []
        for n in sizes:
            a, b, k, c = read_network(workdir / f"planar_{n}.txt")
            v_plnet = np.loadtxt(workdir / f"planar_{n}_voltages.txt")
            reps = repeats(n)
            best_total = best_solve = float("inf")
            v_scipy = None
            for _ in range(reps):
                v_scipy, total, solve = scipy_solve(a, b, k, c)
                best_total, best_solve = min(best_total, total), min(best_solve, solve)
            row = {
                "N": n, "nodes": c["n"], "edges": len(k), "nnz": counters.get(n, {}).get("nnz"),
                "plnet_backend": counters.get(n, {}).get("backend"),
                "plnet_cold_ms": times["BM_SolveCold"].get(n),
                "plnet_refactor_ms": times["BM_Refactor"].get(n),
                "plnet_assembled_ms": times["BM_SolveAssembled"].get(n),
                "scipy_total_ms": best_total * 1e3, "scipy_solve_ms": best_solve * 1e3,
                "scipy_repeats": reps,
                "ngspice_ms": None, "ngspice_status": "skipped",
            }
            v_ng = None
            if not args.no_ngspice:
                netlist, raw = workdir / f"planar_{n}.cir", workdir / f"planar_{n}.raw"
                write_netlist(netlist, a, b, k, c)
                v_ng, t_ng, status = ngspice_solve(netlist, raw, c["n"], args.ngspice_timeout,
                                                   3 if n <= 30000 else 1)
                row["ngspice_ms"] = None if t_ng is None else t_ng * 1e3
                row["ngspice_status"] = status
            row["diff_plnet_scipy"] = rel_diff(v_plnet, v_scipy)
            row["diff_plnet_ngspice"] = rel_diff(v_plnet, v_ng)
            row["diff_scipy_ngspice"] = rel_diff(v_scipy, v_ng)
            cold, refac, asm = (row["plnet_cold_ms"], row["plnet_refactor_ms"],
                                row["plnet_assembled_ms"])

            def ratio(x, y):
                return None if x is None or y is None else x / y

            row["scipy_over_plnet_cold"] = ratio(row["scipy_total_ms"], cold)
            row["ngspice_over_plnet_cold"] = ratio(row["ngspice_ms"], cold)
            row["scipy_solve_over_plnet_assembled"] = ratio(row["scipy_solve_ms"], asm)
            row["scipy_solve_over_plnet_refactor"] = ratio(row["scipy_solve_ms"], refac)
            results.append(row)
            print(f"N={n}: plnet cold {fmt(cold)} ms, scipy {fmt(row['scipy_total_ms'])} ms, "
                  f"ngspice {fmt(row['ngspice_ms'])} ms ({row['ngspice_status']}); "
                  f"max rel diff plnet-scipy {fmt(row['diff_plnet_scipy'], '.2e')}, "
                  f"plnet-ngspice {fmt(row['diff_plnet_ngspice'], '.2e')}", flush=True)

        print_table(results)
        verdicts = check_targets(results)
        if args.out:
            args.out.write_text(json.dumps({"environment": env_info, "results": results,
                                            "targets": verdicts}, indent=2))
            print(f"wrote {args.out}")
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


def print_table(results):
    print("\nTimes in ms (best of repeats, one thread). Ratios: baseline time / plnet time.")
    print("cold = everything from the edge list (scipy: assembly + spsolve; plnet: BM_SolveCold)."
          "\nsolve = from an assembled matrix (scipy: spsolve alone; plnet: BM_SolveAssembled);"
          " refac = plnet numeric refactorisation + solve.")
    head = (f"{'N':>8} {'edges':>8} {'plnet cold':>11} {'plnet refac':>11} {'plnet asm':>10} "
            f"{'scipy tot':>10} {'scipy solve':>11} {'ngspice':>10} "
            f"{'scipy/pl':>8} {'ngsp/pl':>8} {'solve/asm':>9} {'solve/ref':>9} "
            f"{'d(pl,sc)':>8} {'d(pl,ng)':>8}")
    print(head)
    print("-" * len(head))
    for r in results:
        ng = fmt(r["ngspice_ms"], ".4g") if r["ngspice_ms"] is not None else r["ngspice_status"][:10]
        print(f"{r['N']:>8} {r['edges']:>8} {fmt(r['plnet_cold_ms'], '.4g'):>11} "
              f"{fmt(r['plnet_refactor_ms'], '.4g'):>11} {fmt(r['plnet_assembled_ms'], '.4g'):>10} "
              f"{fmt(r['scipy_total_ms'], '.4g'):>10} {fmt(r['scipy_solve_ms'], '.4g'):>11} "
              f"{ng:>10} {fmt(r['scipy_over_plnet_cold'], '.3g'):>8} "
              f"{fmt(r['ngspice_over_plnet_cold'], '.4g'):>8} "
              f"{fmt(r['scipy_solve_over_plnet_assembled'], '.3g'):>9} "
              f"{fmt(r['scipy_solve_over_plnet_refactor'], '.3g'):>9} "
              f"{fmt(r['diff_plnet_scipy'], '.1e'):>8} {fmt(r['diff_plnet_ngspice'], '.1e'):>8}")


def check_targets(results):
    """Compares cold-to-cold ratios (like with like) with the issue's targets."""
    by_n = {r["N"]: r for r in results}
    verdicts = []
    print("\nTargets (cold-to-cold ratio, one core):")
    for n, targets in TARGETS.items():
        if n not in by_n:
            continue
        r = by_n[n]
        for baseline, need in targets.items():
            got = r["scipy_over_plnet_cold"] if baseline == "scipy" else r["ngspice_over_plnet_cold"]
            met = got is not None and got >= need
            verdicts.append({"N": n, "baseline": baseline, "need": need, "got": got, "met": met})
            print(f"  N={n:>8}: {baseline:>7} / plnet >= {need:g}x: got {fmt(got, '.3g')}x -> "
                  f"{'met' if met else 'MISSED'}")
    return verdicts


if __name__ == "__main__":
    main()
