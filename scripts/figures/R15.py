"""R15 (004 Figs. 3, 4): breast cancer on a resistive mesh, two-phase vs projector: learned
resistances, test confusion matrices, loss curves and the loss landscape on each trajectory's
two principal directions (004 App. N).

Usage: /usr/bin/python3 scripts/figures/R15.py <output dir of `plnet reproduce R15`>"""

import sys

import numpy as np

import plnet_plot as pp


def landscape_panel(fig, ax, land):
    """The loss on the trajectory's two principal directions, centred on the trained state.
    The grid spans +-1.5 x the trajectory on each axis, but the loss exists only where every
    resistance stays > 0 (NaN elsewhere): the axes are fitted to the evaluated cells and the
    trajectory, and the rest of the plane is grey."""
    q1, q2, cost = land["axis1"][()], land["axis2"][()], land["cost"][()]
    xy = land["coordinates"][()]
    ok = np.isfinite(cost) & (cost > 0)
    ax.set_facecolor("0.85")
    if ok.sum() >= 4:
        cs = ax.contourf(q1, q2, np.where(ok, np.log10(np.where(ok, cost, 1.0)), np.nan).T,
                         levels=15, cmap="magma")
        fig.colorbar(cs, ax=ax, label="log10 loss")
    h1, h2 = np.diff(q1).mean() / 2, np.diff(q2).mean() / 2
    i, j = np.nonzero(ok)
    xs = np.concatenate([q1[i] - h1, q1[i] + h1, xy[:, 0]]) if i.size else xy[:, 0]
    ys = np.concatenate([q2[j] - h2, q2[j] + h2, xy[:, 1]]) if j.size else xy[:, 1]
    pad_x, pad_y = 0.05 * np.ptp(xs) or 1.0, 0.05 * np.ptp(ys) or 1.0
    ax.set_xlim(max(xs.min() - pad_x, q1.min()), min(xs.max() + pad_x, q1.max()))
    ax.set_ylim(max(ys.min() - pad_y, q2.min()), min(ys.max() + pad_y, q2.max()))
    ax.plot(xy[:, 0], xy[:, 1], "o-", c="c", ms=2, lw=1, label="trajectory")
    ax.plot(xy[0, 0], xy[0, 1], "o", c="c", mec="k", ms=7, label="start")
    ax.plot(xy[-1, 0], xy[-1, 1], "*", c="w", mec="k", ms=12, label="trained")
    ax.plot([], [], "s", c="0.85", ms=8, label="a resistance <= 0")
    ev = land["explained_variance"][()]
    ax.set(xlabel=f"PC1 ({100 * ev[0]:.0f}% of the variance)",
           ylabel=f"PC2 ({100 * ev[1]:.0f}%)")
    pp.marker_legend(ax, fontsize=7, ncol=4, below=0.3)


out = sys.argv[1]
with pp.open_results(out) as r:
    fig, ax = pp.figure(2, 4, size=3.6)
    for row, (rule, name) in enumerate((("two_phase", "two-phase"), ("exact", "projector"))):
        run, a = r[rule], r["analysis"][rule]
        pp.network(ax[row, 0], run["network/positions"][()], run["network/edges"][()],
                   1.0 / run["parameters/final"][()], log=True, cmap="viridis",
                   label="resistance r")
        ax[row, 0].set_title(f"{name}: learned resistances")
        c = a["confusion_test"][()]
        ax[row, 1].imshow(c, cmap="Blues")
        for (i, j), v in np.ndenumerate(c):
            ax[row, 1].text(j, i, f"{int(v)}", ha="center", va="center")
        ax[row, 1].set(xticks=[0, 1], yticks=[0, 1], xlabel="predicted", ylabel="true",
                       title=f"{name}: test confusion")
        pp.training_curve(ax[row, 2], run, label="training hinge loss",
                          test_label="test hinge loss")
        ax[row, 2].set_title(f"{name}: loss")
        landscape_panel(fig, ax[row, 3], a["landscape"])
        ax[row, 3].set_title(f"{name}: landscape (App. N)")
    pp.save(fig, out, "R15", caption=pp.check_caption(r))
