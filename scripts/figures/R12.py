"""R12 (003 Fig. 6): node networks trained on n_T simultaneous random constraint tasks; the
final error (a), the success fraction, g_bar (d) and D_eff (e) after training against n_T, with
the untrained networks' values and the measured capacity (dashed).

Usage: /usr/bin/python3 scripts/figures/R12.py <output dir of `plnet reproduce R12`>"""

import sys

import numpy as np

import plnet_plot as pp

out = sys.argv[1]
with pp.open_results(out) as r:
    a = r["analysis"]
    n = a["tasks"][()]
    cap = a["capacity"][()][0]
    cap_all = a["capacity_all"][()][0]
    threshold = a["error_threshold"][()][0]
    fig, ax = pp.figure(2, 2)
    panels = (
        (ax[0, 0], "error_quartiles", None, "final error C (median, quartiles)", True),
        (ax[1, 0], "gbar_quartiles", "gbar_initial_quartiles", "g_bar (median, quartiles)", True),
        (ax[1, 1], "deff_quartiles", "deff_initial_quartiles", "D_eff (median, quartiles)", False),
    )
    for axis, name, initial, label, logy in panels:
        q = a[name][()]
        axis.fill_between(n, np.maximum(q[:, 0], 1e-35), np.maximum(q[:, 2], 1e-35), color="C0",
                          alpha=0.3, lw=0)
        axis.plot(n, np.maximum(q[:, 1], 1e-35), marker="o", ms=3, c="C0", label="trained")
        if initial is not None:
            q0 = a[initial][()]
            axis.plot(n, q0[:, 1], c="grey", ls=":", label="untrained")
        if logy:
            axis.set_yscale("log")
        axis.axvline(cap, c="k", ls="--", lw=1, label=f"capacity {cap:g}")
        axis.set_xlabel("number of tasks n_T")
        axis.set_ylabel(label)
        axis.legend(frameon=False, fontsize=8)
    ax[0, 0].axhline(threshold, c="r", lw=0.8, label="success threshold")
    ax[0, 0].legend(frameon=False, fontsize=8)
    pp.curves(ax[0, 1], n, [a["success_fraction"][()]], xlabel="number of tasks n_T",
              ylabel="fraction of trials with C <= threshold")
    ax[0, 1].axhline(0.5, c="grey", lw=0.8)
    ax[0, 1].axvline(cap, c="k", ls="--", lw=1)
    ax[0, 1].set_title(f"capacity {cap:g} (fraction >= 1/2), {cap_all:g} (all)", fontsize=10)
    pp.save(fig, out, "R12", caption=pp.check_caption(r))
