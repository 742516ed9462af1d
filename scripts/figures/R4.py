"""R4 (000 Figs. 6, 11, 12): allostery. Persistent sectors of the voltage response, the
susceptibility field on their boundaries, the stiff modes, and how both change with the drop.

Usage: /usr/bin/python3 scripts/figures/R4.py <output dir of `plnet reproduce R4`>"""

import sys

import numpy as np

import plnet_plot as pp


def sectors_panel(ax, run, a, title):
    pos, edges, box = pp.network_arrays(run)
    s2 = a["susceptibility_norms"][()]
    pp.network(ax, pos, edges, s2 / s2.max(), log=True, cmap="Greys", width_by_value=True,
               label="||s_i||^2 / max", box=box)
    sector = a["sector"][()].astype(int)
    p = pos[:, :2]
    ax.scatter(p[:, 0], p[:, 1], c=sector % 10, cmap="tab10", vmin=0, vmax=9, s=22, alpha=0.45,
               zorder=1, edgecolors="none")
    b = a["boundary_edges"][()].astype(int)
    if b.size:
        seg, _ = pp.segments(pos, edges[b], box)
        for s in seg:
            ax.plot(s[:, 0], s[:, 1], c="tab:red", lw=0.8, ls=":", zorder=2)
    pp.task_nodes(ax, pos, inputs=run["task/inputs"][()], outputs=run["task/outputs"][()],
                  held=run["task/held"][()], size=40)
    ax.set_title(f"{title}: {int(sector.max()) + 1} sectors, precision "
                 f"{a['boundary_precision'][()]:.2f}", fontsize=9)


def caption(results):
    """The check table, one line per part: its rows' statuses and measured numbers."""
    lines, current, parts = [], None, []
    for c in pp.checks(results)["checks"]:
        head, _, rest = c["name"].partition(": ")
        value = "n/a" if c["measured"] is None else f"{c['measured']:.3g}"
        if not rest:  # a row of its own
            lines.append(f"{c['status']}  {c['name'][:90]}: {value}")
            continue
        if head != current:
            if parts:
                lines.append(f"{current}: " + "; ".join(parts))
            current, parts = head, []
        short = rest.replace("fraction of the trained networks with ", "").replace(
            "fraction of ", "")
        parts.append(f"{c['status']} {short[:48]} {value}")
    if parts:
        lines.append(f"{current}: " + "; ".join(parts))
    return "\n".join(line[:230] for line in lines)


def main(output_dir):
    with pp.open_results(output_dir) as r:
        runs, an = r["run"], r["analysis"]
        fig, ax = pp.figure(3, 4, size=4.4)
        run, a = runs["fig6"], an["fig6"]
        pos, edges, box = pp.network_arrays(run)
        nodes = dict(inputs=run["task/inputs"][()], outputs=run["task/outputs"][()],
                     held=run["task/held"][()])
        pp.node_field(ax[0, 0], pos, edges, a["response"][()], label="voltage", box=box)
        pp.task_nodes(ax[0, 0], pos, **nodes)
        ax[0, 0].set_title("Fig. 6a: response (sources 1, 0; drops 0.5)", fontsize=9)
        sectors_panel(ax[0, 1], run, a, "Fig. 6b: sectors, ||s_i||^2")
        modes = a["stiff_modes"][()]
        pp.network(ax[0, 2], pos, edges, np.abs(modes).sum(axis=1), log=True, cmap="Purples",
                   label="sum_rho |Psi_rho,i|", box=box)
        ax[0, 2].set_title("3 stiff modes", fontsize=9)
        pp.stiff_mode_correlation(ax[0, 3], a["susceptibility_norms"][()], modes)
        ax[0, 3].set_title("Fig. 6c", fontsize=9)
        for col, name in enumerate(("fig11_0p3", "fig11_0p1")):
            sectors_panel(ax[1, col], runs[name], an[name], f"Fig. 11: {name[6:].replace('p', '.')}")
        names = [n for n in ("fig6", "fig11_0p3", "fig11_0p1") if n in an]
        precision = [an[n]["realisations/boundary_precision"][()] for n in names]
        ax[1, 2].boxplot(precision, labels=["0.5", "0.3", "0.1"][: len(names)])
        ax[1, 2].set_xlabel("target drop (3 edges)")
        ax[1, 2].set_ylabel("top-|B| ||s_i||^2 edges on boundaries")
        ax[1, 2].set_title(f"App. B over {len(precision[0])} networks "
                           f"(shown: #{int(an['shown_realisation'][()])})", fontsize=9)
        pp.spectra(ax[1, 3], a["hessian_before"][()], a["hessian_after"][()], stiff=3)
        ax[1, 3].set_title("cost Hessian (drop 0.5)", fontsize=9)
        for col, name in enumerate(("fig12_0p001", "fig12_0p01", "fig12_0p5", "fig12_1")):
            a12 = an[name]
            s2 = a12["susceptibility_norms"][()]
            psi = np.abs(a12["stiff_modes"][()][:, 0])
            pp.network(ax[2, col], pos, edges, s2 / s2.max(), log=True, cmap="Oranges",
                       width_by_value=True, label="||s_i||^2 / max", box=box)
            top = np.argsort(-psi)[:10]
            for s in pp.segments(pos, edges[top], box)[0]:
                ax[2, col].plot(s[:, 0], s[:, 1], c="tab:purple", lw=2.5, zorder=3)
            ax[2, col].set_title(f"Fig. 12: drop {name[6:].replace('p', '.')} "
                                 f"(purple: top 10 |Psi_1|)", fontsize=9)
        pp.save(fig, output_dir, "R4", caption=caption(r))


if __name__ == "__main__":
    main(sys.argv[1])
