"""R10 (003 Figs. 2-4): one task in node, flow and spring networks; the error, the lowest
eigenvalue, g_bar and D_eff before and after training over the realisations.

Usage: /usr/bin/python3 scripts/figures/R10.py <output dir of `plnet reproduce R10`> [name]
(R14.py draws R14's parts with this script; name is the figure's file name, default R10.)"""

import sys

import numpy as np

import plnet_plot as pp

out = sys.argv[1]
with pp.open_results(out) as r:
    a = r["analysis"]
    known = [p for p in ("node", "flow", "spring") if p in a]
    parts = known or [p for p in a if "cost_before" in a[p]]
    fig, ax = pp.figure(4, len(parts))
    for j, part in enumerate(parts):
        g = a[part]
        ax[0, j].semilogy(g["log_step"][()], np.maximum(g["log_train_cost"][()], 1e-35), c="k")
        ax[0, j].set_xlabel("training step")
        ax[0, j].set_ylabel("error C")
        ax[0, j].set_title(f"{part}: realisation 0")
        for i, (name, label) in enumerate((("lambda_min", "lowest eigenvalue"),
                                           ("gbar", "g_bar"), ("deff", "D_eff"))):
            before, after = g[f"{name}_before"][()], g[f"{name}_after"][()]
            axis = ax[i + 1, j]
            for b, c in zip(before, after):
                axis.plot([0, 1], [b, c], c="grey", lw=0.5, alpha=0.6)
            axis.plot([0, 1], [np.median(before), np.median(after)], c="k", lw=2,
                      label="median")
            both = np.concatenate([before, after])
            if both.min() > 0 and both.max() > 30 * both.min():
                axis.set_yscale("log")  # linear below 1.5 decades: a log axis there has no labels
            axis.set_xticks([0, 1], ["before", "after"])
            axis.set_ylabel(label)
            axis.legend(frameon=False, fontsize=8)
    pp.save(fig, out, sys.argv[2] if len(sys.argv) > 2 else "R10", caption=pp.check_caption(r))
