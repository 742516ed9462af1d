"""R6 (000 Fig. 8): the regression of 000 Fig. 1 trained from four families of initial
conductances. Rows: families. Columns: trained conductances on the network; initial and final
conductance distributions; conductance vs ||s_i||^2; relative conductance vs ||s_i||^2.

Usage: /usr/bin/python3 scripts/figures/R6.py <output dir of `plnet reproduce R6`>"""

import sys

import numpy as np

import plnet_plot as pp


def family_text(name):
    """'uniform:0.01:1' -> 'k0 ~ U[0.01, 1]'; 'peaked:1e-6' -> 'k0 peaked at 1e-6'."""
    kind, _, rest = name.partition(":")
    if kind == "uniform" and rest.count(":") == 1:
        return "k0 ~ U[{}, {}]".format(*rest.split(":"))
    if kind == "peaked" and rest:
        return f"k0 peaked at {rest}"
    return name


def main(output_dir):
    with pp.open_results(output_dir) as r:
        a = r["analysis"]
        run = r["run"]
        pos, edges, box = pp.network_arrays(run)
        families = int(a["families"][()])
        fig, ax = pp.figure(families, 4, size=3.4)
        for f in range(families):
            g = a[f"family{f}"]
            name = g["name"][()]
            name = name.decode() if isinstance(name, bytes) else name
            k0, k = g["initial"][()], g["final"][()]
            s2 = g["susceptibility_norms"][()]
            rel = g["relative_conductance"][()]
            pp.network(ax[f, 0], pos, edges, k, log=True, cmap="Greys", label="k", box=box)
            ax[f, 0].set_title(f"{family_text(name)}: trained k", fontsize=10)
            # Bins over the decades the conductances occupy (4 per decade), not the whole
            # clipping range [1e-6, 1e6], most of which is empty.
            both = np.concatenate([k0, k])
            lo = np.floor(np.log10(both[both > 0].min())) - 0.5
            hi = np.ceil(np.log10(both.max())) + 0.5
            bins = np.logspace(lo, hi, int(round(4 * (hi - lo))) + 1)
            ax[f, 1].hist(k0, bins=bins, color="0.75", label="initial")
            ax[f, 1].hist(k, bins=bins, color="k", histtype="step", label="final")
            ax[f, 1].set_xscale("log")
            ax[f, 1].set_xlabel("conductance k")
            ax[f, 1].legend(frameon=False, fontsize=8)
            ax[f, 1].set_title(f"{family_text(name)}: distributions", fontsize=10)
            pp.scatter_correlation(ax[f, 2], k, s2, xlabel="k", ylabel="||s_i||^2")
            ax[f, 2].legend(frameon=False, fontsize=8)
            ok = np.isfinite(rel) & (rel > 0)
            top = np.argsort(-s2)[: max(1, int(round(0.05 * len(s2))))]
            ax[f, 3].scatter(rel[ok], s2[ok], s=5, alpha=0.5, color="tab:blue")
            ax[f, 3].scatter(rel[top], s2[top], s=12, facecolors="none", edgecolors="tab:red",
                             label="top 5% ||s_i||^2")
            ax[f, 3].axvline(1.0, c="k", ls="--", lw=0.8)
            ax[f, 3].set_xscale("log")
            ax[f, 3].set_yscale("log")
            ax[f, 3].set_xlabel("k_i / <k_j>")
            ax[f, 3].set_ylabel("||s_i||^2")
            below = np.mean(rel[top] < 1.0)
            ax[f, 3].set_title(f"{below:.0%} of the top 5% below 1", fontsize=10)
            ax[f, 3].legend(frameon=False, fontsize=8)
        pp.save(fig, output_dir, "R6", caption=pp.check_caption(r))


if __name__ == "__main__":
    main(sys.argv[1])
