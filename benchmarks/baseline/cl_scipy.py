#!/usr/bin/python3
"""Coupled Learning in plain numpy/scipy: the baseline of benchmarks/compare_train.py.

What a researcher would write for paper 000's protocol (App. D): a resistor network with a
grounded node, two voltage sources and two target nodes, trained by Coupled Learning
(docs/physics.md section 4). Every step, for a minibatch of samples (u_s, t_s):

  1. Laplacian L = Delta^T diag(k) Delta with scipy.sparse (Delta: edges x nodes incidence).
  2. Free state: ground at 0 V, sources at u_s. Sparse LU (scipy.sparse.linalg.splu) of the
     Laplacian with the held rows and columns removed, one multi-right-hand-side solve for the
     whole batch: V_free = -L_ff^-1 L_fH V_H.
  3. Clamped state: the targets are also held, at y_F + eta (t - y_F); a SECOND splu of the
     Laplacian reduced by ground, sources and targets, and one multi-right-hand-side solve.
  4. k += (alpha / eta) sum_s [(Delta V_F)^2 - (Delta V_C)^2], clipped to [1e-6, 1e6].

Units: volts, siemens. The cost (for reports) is 000's MSE summed over samples:
C = 1/2 sum_s |y_s - t_s|^2.

Input files are those benchmarks/train_bench.cpp writes when PLNET_BENCH_EXPORT_DIR is set:
jammed_<N>.txt (header lines "# key values", then "a b k0" per edge), jammed_<N>_samples.txt
("u1 u2 t1 t2" per sample) and jammed_<N>_step0.txt (plnet's first minibatch, its update dk and
k after one Trainer step), which verify() reproduces.

    /usr/bin/python3 benchmarks/baseline/cl_scipy.py DIR/jammed_300.txt [--steps 1000]
        [--warmup 10] [--json]

runs the verification, --warmup untimed steps, then times --steps steps from k0 and prints the
mean seconds per step (--json: one JSON object, what benchmarks/compare_train.py reads). Exit
status 1 if the verification fails.

Buffer policy: numpy's and scipy's own (every step allocates its arrays afresh, as such a
script does). With glibc's default malloc, large freed arrays are returned to the kernel and
faulted in again on the next step; on virtual machines where a page fault is expensive this can
double the step time. compare_train.py therefore also times the loop with GLIBC_TUNABLES that
keep freed memory.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_THREAD_LIMIT"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
import scipy.sparse.linalg as spla  # noqa: E402

# plnet's update and this one differ only by round-off: the free and clamped drops agree to
# ~1e-15 relative, and (dV_F)^2 - (dV_C)^2 is a difference of two numbers that agree to
# O(eta |t - y|), which costs up to ~3 of the 16 digits. 1e-10 leaves a wide margin and still
# catches any real difference (a wrong sign, factor or clamp is O(1)).
VERIFY_TOLERANCE = 1e-10


def read_network(path):
    """The network file: dict with a, b (edge endpoints), k0, n and the task's roles."""
    header = {}
    with open(path) as f:
        for line in f:
            if not line.startswith("#"):
                break
            key, *values = line[1:].split()
            header[key] = values
    data = np.loadtxt(path, comments="#", dtype=np.float64, ndmin=2)
    net = {
        "a": data[:, 0].astype(np.int64),
        "b": data[:, 1].astype(np.int64),
        "k0": data[:, 2].copy(),
        "n": int(header["nodes"][0]),
        "ground": int(header["ground"][0]),
        "sources": [int(x) for x in header["sources"]],
        "targets": [int(x) for x in header["targets"]],
        "alpha": float(header["alpha"][0]),
        "eta": float(header["eta"][0]),
        "bounds": (float(header["bounds"][0]), float(header["bounds"][1])),
        "batch": int(header["batch"][0]),
    }
    if len(net["k0"]) != int(header["edges"][0]):
        raise ValueError(f"{path}: {len(net['k0'])} edges, header says {header['edges'][0]}")
    return net


def read_samples(path):
    """(inputs, targets): samples x 2 each."""
    data = np.loadtxt(path, comments="#", dtype=np.float64, ndmin=2)
    return data[:, :2].copy(), data[:, 2:].copy()


def read_step0(path):
    """(rows of plnet's first minibatch, its update dk, k after plnet's first step)."""
    with open(path) as f:
        rows = np.array([int(x) for x in f.readline().split()[2:]], dtype=np.int64)
    data = np.loadtxt(path, comments="#", dtype=np.float64, ndmin=2)
    return rows, data[:, 0].copy(), data[:, 1].copy()


class CoupledLearning:
    """The researcher's Coupled Learning step on one network (000 App. D)."""

    def __init__(self, net):
        self.n = net["n"]
        self.alpha, self.eta = net["alpha"], net["eta"]
        self.lower, self.upper = net["bounds"]
        m = len(net["a"])
        edges = np.arange(m)
        self.incidence = sp.csr_matrix(
            (np.concatenate([np.ones(m), -np.ones(m)]),
             (np.concatenate([edges, edges]), np.concatenate([net["a"], net["b"]]))),
            shape=(m, self.n))
        self.targets = np.array(net["targets"])
        # Held nodes of the free state (ground, then sources) and of the clamped state (+ targets).
        self.held_free = np.array([net["ground"], *net["sources"]])
        self.held_clamped = np.concatenate([self.held_free, self.targets])

    def laplacian(self, k):
        return (self.incidence.T @ sp.diags(k) @ self.incidence).tocsr()

    def state(self, lap, held, held_values):
        """Node voltages (n x batch) with the nodes `held` at `held_values` (len(held) x batch)."""
        free = np.ones(self.n, dtype=bool)
        free[held] = False
        lap_free = lap[free]
        lu = spla.splu(lap_free[:, free].tocsc())
        v = np.empty((self.n, held_values.shape[1]))
        v[held] = held_values
        v[free] = lu.solve(-(lap_free[:, held] @ held_values))
        return v

    def step(self, k, inputs, targets):
        """One CL step on the batch (inputs, targets: batch x 2). Returns (new k, update dk)."""
        lap = self.laplacian(k)
        batch = inputs.shape[0]
        free_values = np.vstack([np.zeros(batch), inputs.T])
        v_free = self.state(lap, self.held_free, free_values)
        y_free = v_free[self.targets]
        clamp = y_free + self.eta * (targets.T - y_free)
        v_clamped = self.state(lap, self.held_clamped, np.vstack([free_values, clamp]))
        drop_free = self.incidence @ v_free
        drop_clamped = self.incidence @ v_clamped
        dk = (self.alpha / self.eta) * np.sum(drop_free**2 - drop_clamped**2, axis=1)
        return np.clip(k + dk, self.lower, self.upper), dk

    def cost(self, k, inputs, targets):
        """000's MSE summed over samples, 1/2 sum_s |y_s - t_s|^2."""
        lap = self.laplacian(k)
        v = self.state(lap, self.held_free, np.vstack([np.zeros(len(inputs)), inputs.T]))
        return 0.5 * float(np.sum((v[self.targets] - targets.T) ** 2))


def train(model, k, inputs, targets, steps, batch, seed=0):
    """`steps` CL steps with minibatches drawn without replacement; returns (k, seconds)."""
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    for _ in range(steps):
        rows = rng.choice(len(inputs), size=batch, replace=False)
        k, _ = model.step(k, inputs[rows], targets[rows])
    return k, time.perf_counter() - t0


def rel_diff(x, ref):
    """Normwise relative difference max_i |x_i - ref_i| / max_i |ref_i|."""
    return float(np.max(np.abs(x - ref)) / np.max(np.abs(ref)))


def verify(model, net, inputs, targets, step0):
    """Reproduces plnet's first step; returns (rel diff of dk, rel diff of k1, passed)."""
    rows, dk_plnet, k1_plnet = step0
    k1, dk = model.step(net["k0"], inputs[rows], targets[rows])
    d_dk, d_k1 = rel_diff(dk, dk_plnet), rel_diff(k1, k1_plnet)
    return d_dk, d_k1, d_dk <= VERIFY_TOLERANCE and d_k1 <= VERIFY_TOLERANCE


def load(network_path):
    """Network, samples and step-0 files that share the stem of `network_path`."""
    network_path = Path(network_path)
    stem = network_path.with_suffix("")
    net = read_network(network_path)
    inputs, targets = read_samples(f"{stem}_samples.txt")
    step0 = read_step0(f"{stem}_step0.txt")
    return net, inputs, targets, step0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("network", type=Path, help="jammed_<N>.txt written by train_bench")
    parser.add_argument("--steps", type=int, default=1000, help="steps to time")
    parser.add_argument("--warmup", type=int, default=10, help="untimed steps first")
    parser.add_argument("--seed", type=int, default=0, help="minibatch generator seed")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    if args.steps < 1 or args.warmup < 0:
        parser.error("--steps must be >= 1 and --warmup >= 0")
    net, inputs, targets, step0 = load(args.network)
    model = CoupledLearning(net)
    d_dk, d_k1, ok = verify(model, net, inputs, targets, step0)
    train(model, net["k0"], inputs, targets, args.warmup, net["batch"], args.seed + 1)
    c0 = model.cost(net["k0"], inputs, targets)
    k, seconds = train(model, net["k0"], inputs, targets, args.steps, net["batch"], args.seed)
    result = {"network": str(args.network), "nodes": net["n"], "edges": len(net["k0"]),
              "verify_dk": d_dk, "verify_k1": d_k1, "verified": ok, "steps": args.steps,
              "seconds_per_step": seconds / args.steps, "cost_initial": c0,
              "cost_final": model.cost(k, inputs, targets)}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"verify vs plnet step 0: rel diff dk {d_dk:.2e}, k1 {d_k1:.2e} "
              f"(tolerance {VERIFY_TOLERANCE:g}) -> {'ok' if ok else 'FAILED'}")
        print(f"{args.steps} steps: {result['seconds_per_step'] * 1e3:.4g} ms per step; "
              f"cost {c0:.4g} -> {result['cost_final']:.4g}")
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
