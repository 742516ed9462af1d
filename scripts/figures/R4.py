"""R4 (000 Figs. 6, 11, 12): allostery. Six panels: (a) the voltage response of the trained
network (Fig. 6a); (b) the susceptibility field with the persistent sectors and their
boundaries (Fig. 6b); (c) stiff modes against susceptibility (Fig. 6c); (d) how often the most
susceptible edges lie on sector boundaries as the target drop decreases, over all networks
(Figs. 6b, 11, App. B); (e, f) the susceptibility field and the stiffest mode's edges for the
weakest and the strongest single-edge task (Fig. 12).

Usage: /usr/bin/python3 scripts/figures/R4.py <output dir of `plnet reproduce R4`>"""

import sys

import numpy as np

import plnet_plot as pp

# ||s_i||^2 spans ~4 decades on these networks; the colour scales keep 3 below the maximum so
# that the susceptible edges stand out. The top TOP_PSI edges of the stiffest mode are drawn
# over the field in Fig. 12's panels.
DECADES = 3
TOP_PSI = 10
TOP_FRACTION = 0.05
# Sector colours that stay apart from the orange susceptibility scale.
SECTOR_COLOURS = ("tab:blue", "tab:green", "tab:purple", "tab:cyan", "tab:pink", "tab:olive",
                  "tab:gray")


def drop_text(runs, name):
    """The part's target drop as written in its training targets ('0.001')."""
    return f"{runs[name]['train/targets'][()][0, 0]:g}"


def nodes_of(run):
    return dict(inputs=run["task/inputs"][()], outputs=run["task/outputs"][()],
                held=run["task/held"][()])


def susceptibility_panel(ax, run, a, sectors=False):
    """||s_i||^2 / max on the network (colour and width); with sectors, the persistent sectors
    as faint node colours and their boundary edges dashed."""
    pos, edges, box = pp.network_arrays(run)
    s2 = a["susceptibility_norms"][()]
    pp.network(ax, pos, edges, s2 / s2.max(), log=True, cmap="Oranges", width_by_value=True,
               decades=DECADES, label="||s_i||^2 / max", box=box)
    if sectors:
        sector = a["sector"][()].astype(int)
        p = pos[:, :2]
        for k in range(int(sector.max()) + 1):
            on = sector == k
            ax.scatter(p[on, 0], p[on, 1], color=SECTOR_COLOURS[k % len(SECTOR_COLOURS)],
                       s=16, alpha=0.85, zorder=2.5, edgecolors="none",
                       label=f"sector {k + 1}" if k < 4 else None)
        pp.edge_overlay(ax, pos, edges, a["boundary_edges"][()].astype(int), color="k",
                        width=1.0, ls=(0, (2, 2)), label="sector boundary", zorder=2, box=box)
    return s2


def caption(results):
    """The check table, one line per part: each row's status, a short name and the measured
    number (save() wraps long lines; the paper's claims are in check.md)."""
    table = pp.checks(results)
    status = [c["status"] for c in table["checks"]]
    counts = ", ".join(f"{status.count(s)} {s}" for s in ("PASS", "DEVIATES", "FAIL")
                       if status.count(s))
    size = "quick size" if table.get("quick") else "full size"
    lines = [f"R4 checks ({size}, seed {table.get('seed', '?')}): {counts}. "
             "Paper claims and criteria: check.md"]
    current, parts = None, []
    for c in table["checks"]:
        head, _, rest = c["name"].partition(": ")
        value = "n/a" if c["measured"] is None else f"{c['measured']:.3g}"
        if not rest:  # a row of its own
            lines.append(f"{c['status']:<8} {c['name']} = {value}")
            continue
        if head != current:
            if parts:
                lines.append(f"{current}: " + "; ".join(parts))
            current, parts = head, []
        short = (rest.replace("fraction of the trained networks with ", "")
                 .replace("fraction of ", "").replace("Spearman(||s_i||^2, sum_rho Psi_rho,i^2)",
                                                      "Spearman(||s||^2, Psi^2)"))
        parts.append(f"{c['status']} {short} = {value}")
    if parts:
        lines.append(f"{current}: " + "; ".join(parts))
    return "\n".join(lines)


def main(output_dir):
    with pp.open_results(output_dir) as r:
        runs, an = r["run"], r["analysis"]
        fig, ax = pp.figure(2, 3, size=4.8)
        run, a = runs["fig6"], an["fig6"]
        pos, edges, box = pp.network_arrays(run)
        shown = int(an["shown_realisation"][()])

        pp.node_field(ax[0, 0], pos, edges, a["response"][()], label="voltage", box=box)
        pp.task_nodes(ax[0, 0], pos, **nodes_of(run),
                      labels=("source (1 V)", "target edges' nodes", "ground (0 V)"))
        ax[0, 0].set_title("(a) Fig. 6a: response, target drops 0.5", fontsize=10)

        susceptibility_panel(ax[0, 1], run, a, sectors=True)
        pp.marker_legend(ax[0, 1], ncol=3)
        sectors = int(a["sector"][()].max()) + 1
        ax[0, 1].set_title(f"(b) Fig. 6b: ||s_i||^2 and {sectors} persistent sectors",
                           fontsize=10)

        modes = a["stiff_modes"][()]
        pp.stiff_mode_correlation(ax[0, 2], a["susceptibility_norms"][()], modes, legend_size=8)
        ax[0, 2].set_title(f"(c) Fig. 6c: the {modes.shape[1]} stiffest cost modes", fontsize=10)

        names = [n for n in ("fig6", "fig11_0p3", "fig11_0p1") if n in an]
        precision = [an[n]["realisations/boundary_precision"][()] for n in names]
        chance = [float(an[n]["boundary_expected"][()]) for n in names]
        x = np.arange(1, len(names) + 1)
        ax[1, 0].boxplot(precision, labels=[drop_text(runs, n) for n in names], widths=0.5)
        for k, values in enumerate(precision):
            jitter = np.linspace(-0.12, 0.12, len(values)) if len(values) > 1 else [0.0]
            ax[1, 0].plot(x[k] + jitter, values, "o", ms=3, c="tab:orange", alpha=0.7,
                          label="one network" if k == 0 else None)
        ax[1, 0].plot(x, chance, "k_", ms=22, mew=1.5, label="random edges (shown network)")
        ax[1, 0].set_ylim(-0.03, 1.03)
        ax[1, 0].set_xlabel("target drop on each of the 3 target edges")
        ax[1, 0].set_ylabel("fraction of the top-|B| ||s_i||^2 edges\non sector boundaries")
        ax[1, 0].legend(frameon=False, fontsize=8, loc="upper right")
        ax[1, 0].set_title(f"(d) Figs. 6b, 11: {len(precision[0])} networks "
                           f"(shown: #{shown})", fontsize=10)

        fig12 = [n for n in ("fig12_0p001", "fig12_1") if n in an]
        for col, name in enumerate(fig12, start=1):
            run12, a12 = runs[name], an[name]
            s2 = susceptibility_panel(ax[1, col], run12, a12)
            psi = np.abs(a12["stiff_modes"][()][:, 0])
            top = np.argsort(-psi)[:TOP_PSI]
            pp.edge_overlay(ax[1, col], pos, edges, top, color="tab:purple", width=3.0,
                            label=f"top {TOP_PSI} |Psi_1,i|", box=box)
            pp.task_nodes(ax[1, col], pos, **nodes_of(run12), size=45)
            susceptible = np.argsort(-s2)[: max(1, int(round(TOP_FRACTION * len(s2))))]
            hits = np.isin(top, susceptible).sum()
            ax[1, col].set_title(f"({'ef'[col - 1]}) Fig. 12: one target edge, drop "
                                 f"{drop_text(runs, name)}\n{hits} of the top {TOP_PSI} |Psi_1,i| "
                                 f"edges in the top {TOP_FRACTION:.0%} of ||s_i||^2",
                                 fontsize=10)
        pp.save(fig, output_dir, "R4", caption=caption(r))


if __name__ == "__main__":
    main(sys.argv[1])
