"""R15 (004 Figs. 3, 4): breast cancer on a resistive mesh, two-phase vs projector: learned
resistances, test confusion matrices, loss curves and the loss landscape on each trajectory's
two principal directions (004 App. N).

Usage: /usr/bin/python3 scripts/figures/R15.py <output dir of `plnet reproduce R15`>"""

import sys

import numpy as np

import plnet_plot as pp

out = sys.argv[1]
with pp.open_results(out) as r:
    fig, ax = pp.figure(2, 4, size=3.2)
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
        pp.training_curve(ax[row, 2], run, label="training hinge loss")
        ax[row, 2].set_title(f"{name}: loss")
        land = a["landscape"]
        q1, q2, cost = land["axis1"][()], land["axis2"][()], land["cost"][()]
        cs = ax[row, 3].contourf(q1, q2, np.log10(cost.T), levels=20, cmap="magma")
        fig.colorbar(cs, ax=ax[row, 3], label="log10 loss")
        xy = land["coordinates"][()]
        ax[row, 3].plot(xy[:, 0], xy[:, 1], "o-", c="c", ms=2, lw=1)
        ax[row, 3].plot(xy[-1, 0], xy[-1, 1], "*", c="w", ms=8)
        ev = land["explained_variance"][()]
        ax[row, 3].set(xlabel=f"PC1 ({100 * ev[0]:.0f}%)", ylabel=f"PC2 ({100 * ev[1]:.0f}%)",
                       title=f"{name}: landscape (App. N)")
    pp.save(fig, out, "R15", caption=pp.check_caption(r))
