#!/usr/bin/python3
"""Coupled Learning training steps, plnet vs a plain numpy/scipy loop, on the same networks.

Run with Debian's /usr/bin/python3 (numpy/scipy from python3-numpy, python3-scipy) after
building the benchmarks (docs/benchmarks.md, section "Training"):

    /usr/bin/python3 benchmarks/compare_train.py [--quick] [--bench-binary build/plnet_bench]
        [--out results.json]

The task is paper 000's first regression (App. D, docs/physics.md R1), set up in
benchmarks/train_bench.cpp: a jammed 2D network of N = 300 (and 3000) particles, ground + 2
voltage sources + 2 target nodes, 112 samples of 000 eq. (1), Coupled Learning with
alpha = 1e-4, eta = 1e-2, minibatches of 30, k0 ~ U[0.01, 1], k clipped to [1e-6, 1e6].

What is timed (wall clock, one thread everywhere):
  plnet step        BM_TrainStep/N: one learning::Trainer::step() (one numeric factorisation,
                    blocked solves, batch-size independent update, batch draw, clipping).
                    Measured in --rounds paired rounds: each round runs the benchmark binary
                    once and then the scipy loop, so that both sides of each ratio see about
                    the same machine load (the machine is shared); the headline ratio is the
                    median of the per-round ratios.
  plnet batch       BM_TrainStepBatch/300/B, B = 1, 30, 1000, 30000: the same with batch B;
                    run twice, with glibc's default malloc and with GLIBC_TUNABLES that keep
                    freed memory (shows how much of the B-dependence is page faults).
  scipy step        benchmarks/baseline/cl_scipy.py: Laplacian with scipy.sparse, two splu
                    factorisations (free, clamped), multi-right-hand-side solves, update;
                    the mean over --scipy-steps consecutive steps after 10 untimed ones, in a
                    fresh process, once per round and malloc setting: glibc's default
                    ('default': freed arrays go back to the kernel and are faulted in again,
                    ~200 page faults per step at N = 300, each ~14 us on this VM) and
                    GLIBC_TUNABLES that keep freed memory ('keep', what the same script costs
                    where page faults are cheap). Both are reported; the target is judged
                    against both.
  protocol          BM_Protocol000/300: 000's whole run, 1e6 Trainer steps through the C++ API
                    (--quick: 1e5 steps, extrapolated to 1e6 and marked so). scipy's time for
                    1e6 steps is its per-step time x 1e6 (extrapolated, never run).

Correctness in the same run: the baseline reproduces plnet's first step (same network, same
minibatch, exported by the benchmark binary) to 1e-10 relative, or the script fails.

One thread: OMP_NUM_THREADS, OPENBLAS_NUM_THREADS, MKL_NUM_THREADS and OMP_THREAD_LIMIT are set
to 1 before numpy is imported and in the benchmark binary's environment.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_THREAD_LIMIT"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import ctypes  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import scipy  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
BASELINE = REPO / "benchmarks" / "baseline" / "cl_scipy.py"

SIZES = [300, 3000]
BATCHES = [1, 30, 1000, 30000]
PROTOCOL_STEPS = 1_000_000
QUICK_PROTOCOL_STEPS = 100_000
# Issue targets (one core).
TARGET_RATIO_300 = 90.0  # scipy step / plnet step at N = 300
TARGET_PROTOCOL_S = 30.0  # 000's 1e6 steps at N = 300
# glibc: serve large blocks from the heap and never trim it, so freed temporaries are reused
# instead of being unmapped and faulted in again every step.
MALLOC_KEEP = "glibc.malloc.mmap_threshold=67108864:glibc.malloc.trim_threshold=1073741824"


# ---------------------------------------------------------------------------- environment


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def numpy_blas():
    """Shared BLAS/LAPACK libraries mapped into this (numpy/scipy) process."""
    np.dot(np.ones((64, 64)), np.ones((64, 64)))
    libs = set()
    for line in Path("/proc/self/maps").read_text().splitlines():
        path = line.split()[-1]
        name = os.path.basename(path).lower()
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


def binary_libraries(binary):
    """BLAS, LAPACK, CHOLMOD and OpenMP libraries the binary resolves (ldd, symlinks resolved)."""
    try:
        out = subprocess.run(["ldd", str(binary)], capture_output=True, text=True,
                             check=True).stdout
    except (OSError, subprocess.CalledProcessError) as err:
        return [f"ldd failed: {err}"]
    libs = []
    for line in out.splitlines():
        if "=>" in line and any(s in line.lower() for s in ("blas", "lapack", "cholmod", "gomp")):
            name, rest = line.split("=>", 1)
            libs.append(f"{name.strip()} -> {os.path.realpath(rest.split('(')[0].strip())}")
    return libs


def child_env(**extra):
    env = dict(os.environ)
    env.update(extra)
    return env


# ---------------------------------------------------------------------------- plnet


def run_bench(binary, pattern, repetitions, **env):
    """Runs the benchmark binary; returns ({run_name: [real times in s]}, {run_name: counters},
    context)."""
    cmd = [str(binary), f"--benchmark_filter={pattern}", "--benchmark_format=json",
           f"--benchmark_repetitions={repetitions}"]
    print(f"running: {' '.join(cmd)}"
          + (f"  [{' '.join(f'{k}={v}' for k, v in env.items())}]" if env else ""), flush=True)
    proc = subprocess.run(cmd, capture_output=True, text=True, env=child_env(**env))
    if proc.returncode != 0 or not proc.stdout.strip():
        sys.exit(f"compare_train: benchmark binary failed ({proc.returncode}) or matched no "
                 f"benchmark:\n{proc.stderr}")
    report = json.loads(proc.stdout)
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
    times, counters = {}, {}
    for b in report["benchmarks"]:
        if b.get("run_type", "iteration") != "iteration" or b.get("error_occurred"):
            continue
        name = b["run_name"]
        times.setdefault(name, []).append(b["real_time"] * scale[b["time_unit"]])
        counters[name] = {k: v for k, v in b.items()
                          if k in ("nodes", "edges", "free", "batch", "samples", "steps", "label",
                                   "cost_initial", "cost_final", "k_min", "k_max")}
    return times, counters, report.get("context", {})


def run_scipy(network, steps, seed, **env):
    """Runs the baseline on one exported network in a fresh process; returns its JSON result."""
    cmd = [sys.executable, str(BASELINE), str(network), f"--steps={steps}", f"--seed={seed}",
           "--json"]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=child_env(**env))
    if not proc.stdout.strip():
        sys.exit(f"compare_train: {' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr}")
    return json.loads(proc.stdout)


def spread(values):
    """(best, median, worst) of a list of times."""
    return min(values), statistics.median(values), max(values)


# ---------------------------------------------------------------------------- report


def fmt_us(seconds):
    return "-" if seconds is None else f"{seconds * 1e6:.4g}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="CI mode: fewer repetitions and steps, protocol 1e5 steps")
    parser.add_argument("--bench-binary", type=Path, default=REPO / "build" / "plnet_bench")
    parser.add_argument("--rounds", type=int,
                        help="paired plnet/scipy rounds (default 5, --quick 2)")
    parser.add_argument("--repetitions", type=int,
                        help="Google Benchmark repetitions of the batch sweep (default 5)")
    parser.add_argument("--scipy-steps", type=int, nargs=2, metavar=("N300", "N3000"),
                        help="scipy steps timed per round at N = 300 and 3000")
    parser.add_argument("--protocol-steps", type=int, help="steps of BM_Protocol000")
    parser.add_argument("--no-protocol", action="store_true", help="skip BM_Protocol000")
    parser.add_argument("--out", type=Path, help="write all numbers as JSON here")
    parser.add_argument("--workdir", type=Path,
                        help="keep the exported network files here (default: a temporary "
                             "directory, removed at exit)")
    args = parser.parse_args()
    rounds = args.rounds or (2 if args.quick else 5)
    repetitions = args.repetitions or (3 if args.quick else 5)
    scipy_steps = dict(zip(SIZES, args.scipy_steps or ((200, 20) if args.quick else (500, 50))))
    if rounds < 1 or repetitions < 1 or min(scipy_steps.values()) < 1:
        parser.error("--rounds, --repetitions and --scipy-steps must be >= 1")
    protocol_steps = args.protocol_steps or (QUICK_PROTOCOL_STEPS if args.quick
                                             else PROTOCOL_STEPS)
    binary = args.bench_binary.resolve()
    if not binary.is_file():
        parser.error(f"--bench-binary: {binary} does not exist; build the plnet_bench target "
                     "(docs/benchmarks.md)")

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="plnet_compare_train_"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        run(args, binary, workdir, rounds, repetitions, scipy_steps, protocol_steps)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


def run(args, binary, workdir, rounds, repetitions, scipy_steps, protocol_steps):
    env_info = {
        "nproc": os.cpu_count(), "cpu": cpu_model(), "load_average_start": os.getloadavg(),
        "python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__,
        "numpy_blas": numpy_blas(), "plnet_libraries": binary_libraries(binary),
        "threads": {v: os.environ[v] for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                               "MKL_NUM_THREADS", "OMP_THREAD_LIMIT")},
    }
    print(f"machine: {env_info['nproc']} x {env_info['cpu']}, load average "
          f"{' '.join(f'{x:.2f}' for x in env_info['load_average_start'])}")
    print(f"numpy {np.__version__} / scipy {scipy.__version__} BLAS: "
          f"{'; '.join(env_info['numpy_blas']) or 'none found'}")
    print(f"plnet libraries (ldd): {'; '.join(env_info['plnet_libraries'])}")
    print(f"threads: {env_info['threads']}")

    # ---- paired rounds: plnet per-step times (round 0 also exports the networks), then scipy
    step_re = f"^BM_TrainStep/({'|'.join(map(str, SIZES))})$"
    malloc_modes = {"default": {}, "keep": {"GLIBC_TUNABLES": MALLOC_KEEP}}
    plnet_times = {n: [] for n in SIZES}
    scipy_times = {m: {n: [] for n in SIZES} for m in malloc_modes}
    loads, counters, failures, checks = [], {}, [], {}
    for r in range(rounds):
        export = {"PLNET_BENCH_EXPORT_DIR": str(workdir)} if r == 0 else {}
        times, round_counters, context = run_bench(binary, step_re, 1, **export)
        if r == 0:
            counters = round_counters
            env_info["plnet_context"] = {k: v for k, v in context.items()
                                         if k.startswith("plnet") or k in ("library_build_type",
                                                                           "host_name")}
            print(f"plnet BLAS (from the binary): "
                  f"{context.get('plnet_train_blas', 'not reported')} (the training step at "
                  "these sizes uses plnet-ldlt and Eigen kernels, no BLAS calls)")
        for n in SIZES:
            plnet_times[n].append(times[f"BM_TrainStep/{n}"][0])
            for mode, env in malloc_modes.items():
                res = run_scipy(workdir / f"jammed_{n}.txt", scipy_steps[n], r, **env)
                scipy_times[mode][n].append(res["seconds_per_step"])
                if r == 0 and mode == "default":
                    checks[n] = {k: res[k] for k in ("verify_dk", "verify_k1", "verified")}
                    print(f"N={n}: baseline reproduces plnet's step 0: rel diff dk "
                          f"{res['verify_dk']:.2e}, k1 {res['verify_k1']:.2e} -> "
                          f"{'ok' if res['verified'] else 'FAILED'}", flush=True)
                    if not res["verified"]:
                        failures.append(f"N={n}: scipy baseline does not reproduce plnet's "
                                        "first step")
        loads.append(os.getloadavg()[0])
        print(f"round {r + 1}/{rounds}: "
              + "; ".join(f"N={n} plnet {plnet_times[n][-1] * 1e6:.4g} us, scipy "
                          + ", ".join(f"{m} {scipy_times[m][n][-1] * 1e6:.4g} us"
                                      for m in malloc_modes) for n in SIZES)
              + f" (load {loads[-1]:.2f})", flush=True)
    rows = []
    for n in SIZES:
        row = {"N": n, **counters[f"BM_TrainStep/{n}"], **checks[n],
               "plnet_step_s": spread(plnet_times[n]), "scipy_steps": scipy_steps[n],
               "rounds": rounds, "round_load": loads, "plnet_times": plnet_times[n]}
        for mode in malloc_modes:
            ratios = [s_ / p_ for s_, p_ in zip(scipy_times[mode][n], plnet_times[n])]
            sc = spread(scipy_times[mode][n])
            row[f"scipy_{mode}_step_s"] = sc
            row[f"scipy_{mode}_times"] = scipy_times[mode][n]
            row[f"ratios_{mode}"] = ratios
            row[f"ratio_{mode}_median"] = statistics.median(ratios)
            row[f"ratio_{mode}_best"] = sc[0] / row["plnet_step_s"][0]
        rows.append(row)

    # ---- batch-size sweep, default malloc and malloc that keeps freed memory
    batch_re = f"^BM_TrainStepBatch/300/({'|'.join(map(str, BATCHES))})$"
    times, _, _ = run_bench(binary, batch_re, repetitions)
    times_keep, _, _ = run_bench(binary, batch_re, repetitions, GLIBC_TUNABLES=MALLOC_KEEP)

    # ---- 000's protocol
    protocol = None
    if not args.no_protocol:
        # Iterations(1) and UseRealTime make the run name "BM_Protocol000/300/iterations:1/...".
        ptimes, pcounters, _ = run_bench(binary, "^BM_Protocol000/300/", 1,
                                         PLNET_BENCH_PROTOCOL_STEPS=str(protocol_steps))
        name = next(iter(ptimes))
        seconds, c = ptimes[name][0], pcounters[name]
        protocol = {"steps": int(c["steps"]), "seconds": seconds,
                    "seconds_1e6": seconds * PROTOCOL_STEPS / c["steps"],
                    "extrapolated": int(c["steps"]) != PROTOCOL_STEPS,
                    "cost_initial": c["cost_initial"], "cost_final": c["cost_final"],
                    "k_min": c["k_min"], "k_max": c["k_max"],
                    "scipy_seconds_1e6_extrapolated": {
                        m: rows[0][f"scipy_{m}_step_s"][1] * PROTOCOL_STEPS
                        for m in ("default", "keep")}}
    env_info["load_average_end"] = os.getloadavg()

    verdicts = print_report(rows, times, times_keep, protocol, env_info)
    if args.out:
        args.out.write_text(json.dumps({"environment": env_info, "steps": rows,
                                        "batch_default_malloc": times,
                                        "batch_malloc_keep": times_keep,
                                        "protocol": protocol, "targets": verdicts}, indent=2))
        print(f"wrote {args.out}")
    if failures:
        sys.exit("compare_train: " + "; ".join(failures))


def print_report(rows, times, times_keep, protocol, env_info):
    print(f"\nPer training step, wall clock in us, one thread: best / median / worst over "
          f"{rows[0]['rounds']} paired rounds (plnet: one Google Benchmark run per round; scipy: "
          f"mean of {' and '.join(str(r['scipy_steps']) for r in rows)} consecutive steps per "
          "round, with glibc's default malloc and with malloc 'keep'). Ratios = scipy / plnet: "
          "median of the per-round ratios [min, max].")
    head = (f"{'N':>5} {'nodes':>6} {'edges':>6} {'plnet step us':>24} "
            f"{'scipy default us':>27} {'scipy keep us':>27} {'ratio default':>20} "
            f"{'ratio keep':>20}")
    print(head)
    print("-" * len(head))
    for r in rows:
        cells = [" / ".join(fmt_us(x) for x in r[k])
                 for k in ("plnet_step_s", "scipy_default_step_s", "scipy_keep_step_s")]
        ratios = [f"{r[f'ratio_{m}_median']:.1f} [{min(r[f'ratios_{m}']):.1f}, "
                  f"{max(r[f'ratios_{m}']):.1f}]" for m in ("default", "keep")]
        print(f"{r['N']:>5} {int(r['nodes']):>6} {int(r['edges']):>6} {cells[0]:>24} "
              f"{cells[1]:>27} {cells[2]:>27} {ratios[0]:>20} {ratios[1]:>20}")
    print("load average (1 min) after each round: "
          + " ".join(f"{x:.2f}" for x in rows[0]["round_load"]))

    print("\nBatch size at N = 300 (BM_TrainStepBatch/300/B), best / median us per step; "
          "'default' = glibc's default malloc, 'keep' = GLIBC_TUNABLES=" + MALLOC_KEEP)
    base = spread(times["BM_TrainStepBatch/300/30"])[0]
    print(f"{'B':>6} {'default us':>18} {'keep us':>18} {'default / B=30':>15}")
    for b in BATCHES:
        name = f"BM_TrainStepBatch/300/{b}"
        d, k = spread(times[name]), spread(times_keep[name])
        print(f"{b:>6} {fmt_us(d[0]):>8} / {fmt_us(d[1]):<8} {fmt_us(k[0]):>8} / "
              f"{fmt_us(k[1]):<8} {d[0] / base:>15.2f}")

    verdicts = []
    print("\nTargets (one core):")
    r300 = rows[0]
    for mode in ("default", "keep"):
        got = r300[f"ratio_{mode}_median"]
        met = got >= TARGET_RATIO_300
        verdicts.append({"what": f"scipy ({mode} malloc) / plnet per step, N=300, median of "
                                 "paired rounds", "need": TARGET_RATIO_300, "got": got,
                         "met": met})
        print(f"  N=300 scipy ({mode} malloc) / plnet per step >= {TARGET_RATIO_300:g}x: got "
              f"{got:.1f}x (median of paired rounds) -> {'met' if met else 'MISSED'}")
    for r in rows[1:]:
        print(f"  N={r['N']} scipy / plnet per step: {r['ratio_default_median']:.1f}x (default "
              f"malloc), {r['ratio_keep_median']:.1f}x (keep); no target")
    if protocol is not None:
        met = protocol["seconds_1e6"] < TARGET_PROTOCOL_S
        note = (f" (ran {protocol['steps']} steps in {protocol['seconds']:.2f} s, extrapolated)"
                if protocol["extrapolated"] else "")
        verdicts.append({"what": "000 protocol, 1e6 steps at N=300, s", "need": TARGET_PROTOCOL_S,
                         "got": protocol["seconds_1e6"], "met": met,
                         "extrapolated": protocol["extrapolated"]})
        print(f"  000 protocol, 1e6 steps at N=300 < {TARGET_PROTOCOL_S:g} s: "
              f"got {protocol['seconds_1e6']:.1f} s{note} -> {'met' if met else 'MISSED'}")
        print(f"    training cost (sum over 112 samples) {protocol['cost_initial']:.3g} -> "
              f"{protocol['cost_final']:.3g}; k in [{protocol['k_min']:.3g}, "
              f"{protocol['k_max']:.3g}]")
        ext = protocol["scipy_seconds_1e6_extrapolated"]
        print(f"    scipy baseline, 1e6 steps: {ext['default'] / 3600:.2f} h (default malloc), "
              f"{ext['keep'] / 3600:.2f} h (keep): extrapolated from its median per-step time, "
              "not run")
    print(f"load average at start {' '.join(f'{x:.2f}' for x in env_info['load_average_start'])}"
          f", at end {' '.join(f'{x:.2f}' for x in env_info['load_average_end'])}")
    return verdicts


if __name__ == "__main__":
    main()
