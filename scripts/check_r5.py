"""Independent check of R5 (000 Fig. 7): recomputes the partial susceptibility ratios of the
trained networks of a `plnet reproduce R5` run from their edge lists, grounds and final
conductances, without plnet: 000's bordered Hessian K = [[2L, Q^T], [Q, 0]] (eq. 2, H = 2L)
assembled by hand, numpy's dense eigen-decomposition, eq. 20 summed over the n modes of
smallest |eigenvalue| (eq. 24), divided by the full norm ||K^-1 [b_i; 0]||^2 from a dense solve.
Prints, per task, the ratio sum_i ||s_i^(n)||^2 / sum_i ||s_i||^2 averaged over the initial
conditions at n = 1, 2, 5, 10, 30, its largest difference from plnet's stored ratios, and the
same ratio with plnet's own Laplacian [[L, Q^T], [Q, 0]] for contrast (a congruent matrix with
other modes: the ratio depends on the factor).

Usage: /usr/bin/python3 scripts/check_r5.py <output dir of `plnet reproduce R5`>"""

import os
import sys

import h5py
import numpy as np


def ratios(nodes, edges, held, k, factor):
    """Per n: sum_i partial_i(n) / sum_i full_i for K = [[factor L, Q^T], [Q, 0]]."""
    m = len(held)
    size = nodes + m
    big = np.zeros((size, size))
    drops = np.zeros((len(edges), size))  # rows b~_i = [e_a - e_b; 0]
    for i, (a, b) in enumerate(edges):
        v = factor * k[i]
        big[a, a] += v
        big[b, b] += v
        big[a, b] -= v
        big[b, a] -= v
        drops[i, a] = 1.0
        drops[i, b] = -1.0
    for q, h in enumerate(held):
        big[nodes + q, h] = big[h, nodes + q] = 1.0
    values, modes = np.linalg.eigh(big)
    order = np.argsort(np.abs(values), kind="stable")
    values, modes = values[order], modes[:, order]
    partial = np.cumsum((drops @ modes) ** 2 / values**2, axis=1)  # edges x modes (eq. 20)
    full = (np.linalg.solve(big, drops.T) ** 2).sum(axis=0)  # ||K^-1 b~_i||^2 (eqs. 14, 18)
    return partial.sum(axis=0) / full.sum()


def main(output_dir):
    shown = (1, 2, 5, 10, 30)
    print("task  n=" + "  n=".join(str(n) for n in shown)
          + "  | max |this - plnet|  | with [[L, Q^T], [Q, 0]] at n = 1, 2, 10")
    with h5py.File(os.path.join(output_dir, "results.h5"), "r") as f:
        a = f["analysis"]
        for task in sorted(k for k in a.keys() if hasattr(a[k], "keys")):
            g = a[task]
            edges = g["network/edges"][()].astype(int)
            held = [int(h) for h in np.atleast_1d(g["network/held"][()])]
            nodes = int(g["network/nodes"][()])
            finals = g["final_conductances"][()]
            stored = g["total_ratio"][()]
            ours = np.array([ratios(nodes, edges, held, k, 2.0) for k in finals])
            other = np.array([ratios(nodes, edges, held, k, 1.0) for k in finals])
            cols = stored.shape[1]
            diff = np.abs(ours[:, :cols] - stored).max()
            mean = ours.mean(axis=0)
            mean1 = other.mean(axis=0)
            print(f"{task:4s}  " + "  ".join(f"{mean[n - 1]:.4f}" for n in shown)
                  + f"  | {diff:.1e}  | " + ", ".join(f"{mean1[n - 1]:.4f}" for n in (1, 2, 10)))


if __name__ == "__main__":
    main(sys.argv[1])
