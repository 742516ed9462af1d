"""R8 (002 Fig. 1): input drop -> equal output drop. Response sectors, the crack of low
conductance, the stiff cost mode on the crack and the soft physical mode.

Usage: /usr/bin/python3 scripts/figures/R8.py <output dir of `plnet reproduce R8`>"""

import sys

import numpy as np

import plnet_plot as pp

# Colour scales of the edge fields span this many decades below their maximum: the stiff mode
# and the soft mode's drops are concentrated on the crack, and the rest of the network sits
# 10-30 decades lower (round-off), which would make the panels one colour.
DECADES = 4
SCATTER_DECADES = 12


def main(output_dir):
    with pp.open_results(output_dir) as r:
        run, a = r["run"], r["analysis"]
        pos, edges, box = pp.network_arrays(run)
        nodes = dict(inputs=run["task/inputs"][()], outputs=run["task/outputs"][()],
                     held=run["task/held"][()])
        fig, ax = pp.figure(2, 3)
        pp.node_field(ax[0, 0], pos, edges, a["response"][()], label="voltage (unit input drop)",
                      box=box)
        pp.task_nodes(ax[0, 0], pos, **nodes)
        ax[0, 0].set_title("(a) response: two sectors")
        # viridis rather than grey: the crack's low conductances (dark) must stand out against
        # the conducting bulk, which grey would draw black with the crack white and unseen.
        pp.network(ax[0, 1], pos, edges, run["parameters/final"][()], log=True, cmap="viridis",
                   label="conductance k", box=box)
        pp.task_nodes(ax[0, 1], pos, **nodes)
        ax[0, 1].set_title("(b) trained conductances: a crack")
        psi = np.abs(a["stiff_mode"][()])
        pp.network(ax[0, 2], pos, edges, psi ** 2, log=True, cmap="Purples", width_by_value=True,
                   decades=DECADES, label="Psi_1,i^2", box=box)
        ax[0, 2].set_title("(c) stiffest cost-Hessian mode")
        pp.node_field(ax[1, 0], pos, edges, a["soft_mode"][()], cmap="PuOr", label="v_1", box=box)
        ax[1, 0].set_title("(d) softest physical mode v_1")
        d2 = a["soft_mode_drops2"][()]
        pp.network(ax[1, 1], pos, edges, d2, log=True, cmap="Oranges", width_by_value=True,
                   decades=DECADES, label="(Delta_i v_1)^2", box=box)
        ax[1, 1].set_title("(e) squared drops of v_1")
        # Both quantities reach round-off (1e-30 and below) away from the crack; the scatter
        # shows SCATTER_DECADES below each maximum and piles what is smaller on the floor.
        x_lo = d2.max() * 10.0 ** -SCATTER_DECADES
        y_lo = psi.max() ** 2 * 10.0 ** -SCATTER_DECADES
        x, y = np.maximum(d2, x_lo), np.maximum(psi ** 2, y_lo)
        rho = pp._spearman(d2, psi ** 2)  # on the values themselves, not the floored ones
        pp.scatter_correlation(ax[1, 2], x, y, label=f"all edges (rho = {rho:.2f})",
                               annotate=False,
                               xlabel=f"(Delta_i v_1)^2 (floor: max/1e{SCATTER_DECADES})",
                               ylabel=f"Psi_1,i^2 (floor: max/1e{SCATTER_DECADES})")
        crack = a["crack_edges"][()].astype(int)
        ax[1, 2].scatter(x[crack], y[crack], s=14, facecolors="none", edgecolors="tab:red",
                         label="crack (90% of Psi_1^2)")
        ax[1, 2].set_xlim(x_lo / 3, d2.max() * 3)
        ax[1, 2].set_ylim(y_lo / 3, psi.max() ** 2 * 3)
        ax[1, 2].legend(frameon=False, fontsize=8, loc="upper left")
        ax[1, 2].set_title("(f) soft physical vs stiff cost mode")
        pp.save(fig, output_dir, "R8", caption=pp.check_caption(r))


if __name__ == "__main__":
    main(sys.argv[1])
