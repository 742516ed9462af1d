"""R16 (004 Fig. 5): test accuracy on the Wisconsin breast cancer data against the probability
p_freeze that an edge is frozen, for the two-phase rule and the projector gradient.

Usage: /usr/bin/python3 scripts/figures/R16.py <output dir of `plnet reproduce R16`>"""

import sys

import numpy as np

import plnet_plot as pp

out = sys.argv[1]
with pp.open_results(out) as r:
    a = r["analysis"]
    p = a["p_freeze"][()]
    tp, ex = a["test_accuracy_two_phase"][()], a["test_accuracy_exact"][()]
    fig, axes = pp.figure(1, 2, size=3.6)
    ax = axes[0]
    n = tp.shape[1]
    pp.curves(ax[0], p, [tp.mean(axis=1), ex.mean(axis=1)],
              errors=[tp.std(axis=1, ddof=1), ex.std(axis=1, ddof=1)],
              labels=["two-phase (beta 0.3)", "projector"], xlabel="p_freeze",
              ylabel=f"test accuracy (mean +- sd, {n} trials)")
    ax[0].set_title("accuracy under limited actuation")
    for k, (rows, c, name) in enumerate(((tp, "tab:blue", "two-phase"),
                                         (ex, "tab:orange", "projector"))):
        for j, pj in enumerate(p):
            ax[1].scatter(np.full(n, pj) + (k - 0.5) * 0.02, rows[j], s=6, c=c, alpha=0.5,
                          label=name if j == 0 else None)
    ax[1].set(xlabel="p_freeze", ylabel="test accuracy per trial",
              title=f"each of the {n} trials")
    ax[1].legend(frameon=False, loc="lower left", markerscale=2)
    pp.save(fig, out, "R16", caption=pp.check_caption(r))
