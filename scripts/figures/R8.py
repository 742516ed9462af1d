"""R8 (002 Fig. 1): input drop -> equal output drop. Response sectors, the crack of low
conductance, the stiff cost mode on the crack and the soft physical mode.

Usage: /usr/bin/python3 scripts/figures/R8.py <output dir of `plnet reproduce R8`>"""

import sys

import numpy as np

import plnet_plot as pp


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
        pp.network(ax[0, 1], pos, edges, run["parameters/final"][()], log=True, cmap="Greys",
                   label="conductance k", box=box)
        pp.task_nodes(ax[0, 1], pos, **nodes)
        ax[0, 1].set_title("(b) trained conductances: a crack")
        psi = np.abs(a["stiff_mode"][()])
        pp.network(ax[0, 2], pos, edges, psi ** 2, log=True, cmap="Purples", width_by_value=True,
                   label="Psi_1,i^2", box=box)
        ax[0, 2].set_title("(c) stiffest cost-Hessian mode")
        pp.node_field(ax[1, 0], pos, edges, a["soft_mode"][()], cmap="PuOr", label="v_1", box=box)
        ax[1, 0].set_title("(d) softest physical mode v_1")
        d2 = a["soft_mode_drops2"][()]
        pp.network(ax[1, 1], pos, edges, d2, log=True, cmap="Oranges", width_by_value=True,
                   label="(Delta_i v_1)^2", box=box)
        ax[1, 1].set_title("(d) squared drops of v_1")
        pp.scatter_correlation(ax[1, 2], d2 + 1e-300, psi ** 2 + 1e-300,
                               xlabel="(Delta_i v_1)^2", ylabel="Psi_1,i^2")
        crack = a["crack_edges"][()].astype(int)
        ax[1, 2].scatter(d2[crack] + 1e-300, psi[crack] ** 2 + 1e-300, s=14, facecolors="none",
                         edgecolors="tab:red", label="crack (90% of Psi_1^2)")
        ax[1, 2].set_ylim(max(psi.max() ** 2 * 1e-24, 1e-300), psi.max() ** 2 * 3)
        ax[1, 2].legend(frameon=False, fontsize=7)
        ax[1, 2].set_title("soft physical vs stiff cost mode")
        pp.save(fig, output_dir, "R8", caption=pp.check_caption(r))


if __name__ == "__main__":
    main(sys.argv[1])
