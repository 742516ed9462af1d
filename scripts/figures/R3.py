"""R3 (000 Fig. 5e-h): classification of three clusters; accuracy, spectra, susceptibility.

Usage: /usr/bin/python3 scripts/figures/R3.py <output dir of `plnet reproduce R3`>"""

import sys

import numpy as np

import plnet_plot as pp

out = sys.argv[1]
with pp.open_results(out) as r:
    run, a = r["run"], r["analysis"]
    pos, edges, box = pp.network_arrays(run)
    nodes = dict(inputs=run["task/inputs"][()], outputs=run["task/outputs"][()],
                 held=run["task/held"][()])
    fig, ax = pp.figure(2, 3)
    pp.network(ax[0, 0], pos, edges, run["parameters/final"][()], log=True, cmap="Greys",
               label="conductance k", box=box)
    pp.task_nodes(ax[0, 0], pos, **nodes)
    ax[0, 0].set_title("trained conductances")
    # The data in the plane of the two features (columns 0 and 2 of the encoding: +x1, +x2),
    # coloured by true class, crossed where winner-take-all is wrong.
    for split, marker in (("train", "o"), ("test", "^")):
        if split not in run:
            continue
        x = run[f"{split}/inputs"][()]
        t = run[f"{split}/targets"][()].argmax(axis=1)
        y = run[f"{split}/outputs"][()].argmax(axis=1)
        ax[0, 1].scatter(x[:, 0], x[:, 2], c=t, cmap="viridis", marker=marker, s=14,
                         label=split, vmin=0, vmax=2)
        wrong = y != t
        ax[0, 1].scatter(x[wrong, 0], x[wrong, 2], marker="x", c="red", s=40,
                         label="misclassified" if split == "train" else None)
    for k in range(3):
        ax[0, 1].scatter([], [], marker="s", s=30, color=pp.plt.get_cmap("viridis")(k / 2),
                         label=f"class {k + 1}")
    ax[0, 1].set_xlabel("x1")
    ax[0, 1].set_ylabel("x2")
    pp.marker_legend(ax[0, 1], ncol=3, below=0.2)
    ax[0, 1].set_title(f"train {a['train_accuracy'][()]:.0%}, test {a['test_accuracy'][()]:.0%}")
    step = run["log/step"][()]
    acc = run["log/train_accuracy"][()]
    ax[0, 2].plot(step, acc, c="k", label="train")
    test = run["log/test_accuracy"][()]
    if np.all(test >= 0):
        ax[0, 2].plot(step, test, c="tab:orange", label="test")
    ax[0, 2].set_xlabel("training step")
    ax[0, 2].set_ylabel("winner-take-all accuracy")
    ax[0, 2].legend(frameon=False)
    pp.spectra(ax[1, 0], a["hessian_before"][()], a["hessian_after"][()])
    ax[1, 0].set_title("cost Hessian spectrum")
    s2 = a["susceptibility_norms"][()]
    pp.network(ax[1, 1], pos, edges, s2, log=True, cmap="Oranges", label="||s_i||^2", box=box)
    ax[1, 1].set_title("susceptibility norm")
    modes = a["stiff_modes"][()]
    pp.stiff_mode_correlation(ax[1, 2], s2, modes, legend_size=6)
    ax[1, 2].set_title("susceptibility vs stiffest modes")
    pp.save(fig, out, "R3", caption=pp.check_caption(r))
