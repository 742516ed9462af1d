"""R1 (000 Figs. 1, 4): trained network, voltage field, spectra, stiff modes, ||s_i||^2.

Usage: /usr/bin/python3 scripts/figures/R1.py <output dir of `plnet reproduce R1`>
Also used for R2 (same layout, 000 Fig. 5a-d) through regression_figure()."""

import sys

import numpy as np

import plnet_plot as pp

# The stiff modes are localised: most edges' entries are round-off, 20-30 decades below the
# largest, so their colour scales span DECADES decades (of Psi^2) below the maximum; so does
# ||s_i||^2, which spans 8 decades on R2's network with the susceptible edges a few among many.
DECADES = 4


def regression_figure(output_dir, name):
    with pp.open_results(output_dir) as r:
        run, a = r["run"], r["analysis"]
        pos, edges, box = pp.network_arrays(run)
        nodes = dict(inputs=run["task/inputs"][()], outputs=run["task/outputs"][()],
                     held=run["task/held"][()])
        k = run["parameters/final"][()]
        modes = a["stiff_modes"][()]
        s2 = a["susceptibility_norms"][()]
        fig, ax = pp.figure(2, 4, size=4.0, aspect=1.0)
        pp.network(ax[0, 0], pos, edges, k, log=True, cmap="Greys", label="conductance k", box=box)
        pp.task_nodes(ax[0, 0], pos, **nodes)
        ax[0, 0].set_title("trained conductances")
        pp.node_field(ax[0, 1], pos, edges, a["example_state"][()], label="voltage", box=box)
        pp.task_nodes(ax[0, 1], pos, **nodes)
        u = a["example_input"][()]
        ax[0, 1].set_title("response to V_S = (" + ", ".join(f"{x:.2f}" for x in u) + ")")
        pp.training_curve(ax[0, 2], run)
        ax[0, 2].set_title(f"MSE {a['mse'][()]:.2g}")
        pp.spectra(ax[0, 3], a["hessian_before"][()], a["hessian_after"][()],
                   stiff=modes.shape[1])
        ax[0, 3].set_title("cost Hessian spectrum")
        pp.network(ax[1, 0], pos, edges, np.abs(modes[:, 0]), log=True, cmap="Purples",
                   decades=DECADES / 2, width_by_value=True, label="|Psi_1,i|", box=box)
        ax[1, 0].set_title("stiffest mode")
        pp.network(ax[1, 1], pos, edges, a["stiff_weight"][()], log=True, cmap="Purples",
                   decades=DECADES, width_by_value=True, label="sum_rho Psi_rho,i^2", box=box)
        ax[1, 1].set_title(f"{modes.shape[1]} stiff modes")
        pp.network(ax[1, 2], pos, edges, s2, log=True, cmap="Oranges", decades=DECADES,
                   label="||s_i||^2", box=box)
        ax[1, 2].set_title("susceptibility norm")
        pp.stiff_mode_correlation(ax[1, 3], s2, modes)
        ax[1, 3].set_title("susceptibility vs stiff modes")
        pp.save(fig, output_dir, name, caption=pp.check_caption(r))


if __name__ == "__main__":
    regression_figure(sys.argv[1], "R1")
