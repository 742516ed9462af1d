"""R17 (004 Fig. 6): training losses of two-phase and projector learning on nanowire networks,
without and with label noise, and the distance of the learned map to M.

Usage: /usr/bin/python3 scripts/figures/R17.py <output dir of `plnet reproduce R17`>"""

import sys

import numpy as np

import plnet_plot as pp


def band(ax, rows, color, label):
    """Median over networks (rows) with the interquartile band, against the epoch."""
    q1, med, q3 = np.percentile(rows, [25, 50, 75], axis=0)
    x = np.arange(rows.shape[1])
    ax.fill_between(x, q1, q3, color=color, alpha=0.25, lw=0)
    ax.plot(x, med, color=color, label=label)


out = sys.argv[1]
with pp.open_results(out) as r:
    a = r["analysis"]
    fig, axes = pp.figure(2, 2, size=4.0, aspect=1.2)
    ax = axes.ravel()
    for j, part in enumerate(("clean", "noisy")):
        g = a[part]
        band(ax[2 * j], g["cost_two_phase"][()], "tab:red", "two-phase (beta 0.3, lr 1)")
        band(ax[2 * j], g["cost_exact"][()], "tab:green", "projector (lr 0.3)")
        ax[2 * j].set(yscale="log", xlabel="epoch", ylabel="training loss",
                      title=f"{part} data: loss (median, quartiles)")
        ax[2 * j].legend(frameon=True, framealpha=0.85, fontsize=8, loc="upper right")
        tp, ex = g["map_error_two_phase"][()], g["map_error_exact"][()]
        ax[2 * j + 1].scatter(ex, tp, s=12, c="k")
        lo, hi = min(tp.min(), ex.min()) * 0.98, max(tp.max(), ex.max()) * 1.02
        ax[2 * j + 1].plot([lo, hi], [lo, hi], "k:", lw=0.8, label="equal errors")
        ax[2 * j + 1].legend(frameon=False, fontsize=8, loc="lower right")
        ax[2 * j + 1].set(xlabel="projector: ||L - M||_F / ||M||_F",
                          ylabel="two-phase: ||L - M||_F / ||M||_F",
                          title=f"{part} data: map error per network")
    pp.save(fig, out, "R17", caption=pp.check_caption(r))
