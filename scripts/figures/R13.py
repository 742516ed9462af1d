"""R13 (003 App. A, Fig. 7b, c): node networks learn a 2 x 2 regression and Iris.

Usage: /usr/bin/python3 scripts/figures/R13.py <output dir of `plnet reproduce R13`>"""

import sys

import numpy as np

import plnet_plot as pp

out = sys.argv[1]
with pp.open_results(out) as r:
    a = r["analysis"]
    fig, ax = pp.figure(1, 3)
    pp.training_curve(ax[0, 0], r["regression"])
    ax[0, 0].set_title("2 x 2 regression (003 eq. A2), realisation 0")
    pp.training_curve(ax[0, 1], r["run"])
    ax[0, 1].set_title("Iris training cost (003 App. A rule), realisation 0")
    run = r["run"]
    step = run["log/step"][()]
    ax[0, 2].plot(step, run["log/train_accuracy"][()], c="k", label="train")
    test = run["log/test_accuracy"][()]
    if np.all(test >= 0):
        ax[0, 2].plot(step, test, c="tab:orange", label="test")
    ax[0, 2].set_xlabel("training step")
    ax[0, 2].set_ylabel("winner-take-all accuracy")
    ax[0, 2].legend(frameon=False)
    ax[0, 2].set_title(f"Iris: median train {np.median(a['iris_train_accuracy'][()]):.0%}, "
                       f"test {np.median(a['iris_test_accuracy'][()]):.0%}")
    pp.save(fig, out, "R13", caption=pp.check_caption(r))
