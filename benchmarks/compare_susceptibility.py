#!/usr/bin/python3
"""All-edge susceptibility norms ||s_i||^2 (paper 000 eq. 18), plnet vs a scipy baseline.

Run with Debian's /usr/bin/python3 after building plnet_bench (docs/analysis.md, "Scale"):

    /usr/bin/python3 benchmarks/compare_susceptibility.py [--size 3000]
        [--bench-binary build/plnet_bench] [--repeats 3]

Network: the random planar network of benchmarks/susceptibility_bench.cpp (random_planar,
remove_fraction 0.2, seed 1, conductances log-uniform in [0.01, 1]), node 0 grounded and node
n-1 held at 1 V: two Lagrange rows, n_ext = n + 2. The network is read from the file the
benchmark exports (PLNET_BENCH_EXPORT_DIR), so both sides see the same numbers.

plnet: BM_SusceptibilityExact/<method>/N, from the network to all M norms: pattern, symbolic
and numeric factorisation, then either "selected" (dual-number selected inversion of the reduced
Hessian, include/plnet/analysis/selected_inversion.hpp; the headline number) or blocked unit
solves on the eliminated factor with a given solver backend (susceptibility_scale.hpp). The
exported norms (compared with scipy below) are those of "selected". Best real time over the
benchmark's runs.

scipy baseline (what a researcher would write from 000 eqs. 14, 18): edge arrays -> sparse
incidence B and Laplacian L, grounded matrix (held rows and columns removed), one
scipy.sparse.linalg.splu (SuperLU, COLAMD ordering), then solve for all b_i (right-hand sides
B_free^T, in blocks of 512 columns to bound memory): the physical part x_i; the multiplier part
mu_i = -(reaction at the held nodes) = (b_i - L x_i)[held]; ||s_i||^2 = ||x_i||^2 + ||mu_i||^2.
Timed from the edge arrays to the norms; best of --repeats.

One thread everywhere: OMP_NUM_THREADS, OPENBLAS_NUM_THREADS, MKL_NUM_THREADS and
OMP_THREAD_LIMIT are set to 1 before numpy is imported and in the benchmark's environment.
The script checks that both sides agree (max relative difference over edges) and prints the
ratio scipy time / plnet time (issue 4 target: >= 12 at N = 3000).
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_THREAD_LIMIT"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
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
TARGET = 12.0
METHODS = ["selected", "auto", "cholmod-supernodal", "cholmod-simplicial", "eigen-ldlt"]


def run_plnet(binary, size, export_dir):
    env = dict(os.environ)
    env["PLNET_BENCH_EXPORT_DIR"] = str(export_dir)
    env["PLNET_SUSC_EXACT_SIZES"] = str(size)
    env["PLNET_SUSC_SKETCH_SIZES"] = ""
    cmd = [str(binary), f"--benchmark_filter=^BM_SusceptibilityExact/.*/{size}/",
           "--benchmark_format=json"]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
    report = json.loads(proc.stdout)
    times = {}
    for b in report["benchmarks"]:
        backend = b["name"].split("/")[1]
        factor = {"ms": 1.0, "us": 1e-3, "ns": 1e-6, "s": 1e3}[b["time_unit"]]
        times[backend] = min(times.get(backend, float("inf")), b["real_time"] * factor)
    return times, report["context"]


def read_network(path):
    header = {}
    edges = []
    with open(path) as f:
        for line in f:
            if line.startswith("#"):
                key, *rest = line[1:].split()
                header[key] = rest
            else:
                a, b, k = line.split()
                edges.append((int(a), int(b), float(k)))
    arr = np.array(edges)
    return int(header["nodes"][0]), arr[:, 0].astype(int), arr[:, 1].astype(int), arr[:, 2], [
        int(header["ground"][0]), int(header["source"][0])]


def scipy_norms(n, a, b, k, held, block=512):
    m = len(k)
    rows = np.repeat(np.arange(m), 2)
    cols = np.stack([a, b], axis=1).ravel()
    vals = np.tile([1.0, -1.0], m)
    inc = sp.csr_matrix((vals, (rows, cols)), shape=(m, n))  # B, row i = b_i
    lap = (inc.T @ sp.diags(k) @ inc).tocsc()
    free = np.setdiff1d(np.arange(n), held)
    lu = spla.splu(lap[free][:, free].tocsc())
    bt_free = inc[:, free].T.tocsc()  # n_free x M
    bt_held = inc[:, held].T.toarray()  # n_held x M
    lap_held_free = lap[held][:, free]
    norms = np.empty(m)
    for start in range(0, m, block):
        stop = min(start + block, m)
        x = lu.solve(bt_free[:, start:stop].toarray())  # physical part on the free nodes
        mu = bt_held[:, start:stop] - lap_held_free @ x  # (b_i - L x_i) at the held nodes
        norms[start:stop] = (x * x).sum(axis=0) + (mu * mu).sum(axis=0)
    return norms


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=3000)
    parser.add_argument("--bench-binary", default=str(REPO / "build" / "plnet_bench"))
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        times, context = run_plnet(args.bench_binary, args.size, tmp)
        n, a, b, k, held = read_network(Path(tmp) / f"susc_{args.size}.txt")
        plnet_norms = np.loadtxt(Path(tmp) / f"susc_{args.size}_norms.txt")
    best = float("inf")
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        norms = scipy_norms(n, a, b, k, held)
        best = min(best, time.perf_counter() - t0)
    scipy_ms = best * 1e3
    diff = np.max(np.abs(norms - plnet_norms) / np.abs(norms))
    print(f"network: random planar N = {n}, M = {len(k)} edges, held nodes {held}")
    print(f"plnet BLAS: {context.get('plnet_blas', '?')}")
    print(f"numpy {np.__version__}, scipy {scipy.__version__}, python {sys.version.split()[0]}")
    print(f"scipy splu + solve for all b_i: {scipy_ms:9.1f} ms")
    for backend in METHODS:
        if backend in times:
            print(f"plnet {backend:20s}: {times[backend]:9.1f} ms   "
                  f"ratio scipy/plnet = {scipy_ms / times[backend]:6.1f}")
    ratio = scipy_ms / times["selected"]
    print(f"max relative difference of ||s_i||^2 (plnet vs scipy): {diff:.2e}")
    print(f"target: plnet (selected) >= {TARGET:g}x faster: "
          f"{'met' if ratio >= TARGET else 'MISSED'} ({ratio:.1f}x)")
    return 0 if diff < 1e-8 else 1


if __name__ == "__main__":
    sys.exit(main())
