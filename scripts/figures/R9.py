"""R9 (002 Fig. 2): H_sat:H, the constraint gradient's alignment with the stiffest cost mode
and ||H_dyn|| / ||H_sat|| against the cost, pooled over the ensemble; the cost Hessian of one
network before and after training.

Usage: /usr/bin/python3 scripts/figures/R9.py <output dir of `plnet reproduce R9`>"""

import sys

import numpy as np

import plnet_plot as pp

STEP, COST, LAMBDA1, SCALED, DOT, RATIO, ALIGN, APPROX, SEPARATION, PREFACTOR = range(10)


def binned(ax, x, y, color, label, bins):
    """Median (line) and 10-90% band of y in logarithmic bins of x."""
    centres, med, lo, hi = [], [], [], []
    for a, b in zip(bins[:-1], bins[1:]):
        sel = (x >= a) & (x < b)
        if sel.sum() >= 3:
            centres.append(np.sqrt(a * b))
            q = np.percentile(y[sel], [10, 50, 90])
            lo.append(q[0]), med.append(q[1]), hi.append(q[2])
    ax.plot(centres, med, c=color, marker="o", ms=3, label=label)
    ax.fill_between(centres, lo, hi, color=color, alpha=0.2, lw=0)


def main(output_dir):
    with pp.open_results(output_dir) as r:
        a = r["analysis"]
        p = a["points"][()]
        p = p[p[:, COST] > 0]
        inv = a["inverse_lambda1_squared_initial"][()]
        fig, ax = pp.figure(2, 4)
        bins = np.logspace(np.floor(np.log10(p[:, COST].min())),
                           np.ceil(np.log10(p[:, COST].max())), 25)
        for panel, x, xlabel in ((ax[0, 0], p[:, COST], "cost C"),
                                 (ax[0, 1], p[:, SCALED], "C lambda_1^2")):
            xb = bins if panel is ax[0, 0] else np.logspace(
                np.floor(np.log10(x.min())), np.ceil(np.log10(x.max())), 25)
            binned(panel, x, p[:, DOT], "k", "H_sat : H", xb)
            binned(panel, x, p[:, ALIGN], "tab:green", "|cos(g, {H}_1)|", xb)
            binned(panel, x, p[:, APPROX], "tab:olive", "|cos(g_approx, {H}_1)|", xb)
            binned(panel, x, p[:, RATIO], "tab:blue", "||H_dyn|| / ||H_sat||", xb)
            panel.set_xscale("log")
            panel.set_yscale("log")
            panel.set_ylim(1e-4, 3)
            panel.set_xlabel(xlabel)
            panel.legend(frameon=False, fontsize=7, loc="lower left")
        ax[0, 0].axvline(np.median(inv), c="tab:red")
        ax[0, 0].axvspan(*np.percentile(inv, [10, 90]), color="tab:red", alpha=0.15)
        ax[0, 0].set_title(f"Fig. 2a: {int(a['realisations'][()])} networks (red: lambda_1^-2)")
        ax[0, 1].axvline(1.0, c="tab:red")
        ax[0, 1].set_title("Fig. 2a on each network's scale")
        slopes = a["ratio_slopes"][()]
        ax[0, 2].hist(slopes, bins=20, color="tab:blue", alpha=0.7)
        ax[0, 2].axvline(0.5, c="k", ls="--", label="sqrt(C): 1/2")
        ax[0, 2].set_xlabel("slope of log(||H_dyn|| / ||H_sat||)\nagainst log C, per network")
        ax[0, 2].set_ylabel("networks")
        ax[0, 2].legend(frameon=False)
        ax[0, 2].set_title(f"median slope {np.median(slopes):.3f}")
        crossing = a["crossing_scaled_cost"][()]
        ax[0, 3].hist(np.log10(crossing), bins=20, color="k", alpha=0.6)
        ax[0, 3].axvline(0.0, c="tab:red", label="002: C lambda_1^2 ~ 1")
        ax[0, 3].set_xlabel("log10 C lambda_1^2\nwhere H_sat:H first reaches 0.9")
        ax[0, 3].set_ylabel("networks")
        ax[0, 3].set_ylim(0, ax[0, 3].get_ylim()[1] * 1.25)  # room for the legend
        ax[0, 3].legend(frameon=False, loc="upper left")
        # The 30 edges with the largest diagonal entries (the Hessians are sparse and low rank).
        top = np.argsort(-(np.abs(np.diag(a["hessian_before"][()])) +
                           np.abs(np.diag(a["hessian_after"][()]))))[:30]
        for col, (name, title) in enumerate((("hessian_before", "Fig. 2b: H before"),
                                             ("hessian_saturated_before", "H_sat before"),
                                             ("hessian_after", "Fig. 2b: H after"),
                                             ("hessian_saturated_after", "H_sat after"))):
            h = a[name][()][np.ix_(top, top)]
            m = np.abs(h).max()
            im = ax[1, col].imshow(h, cmap="RdBu_r", vmin=-m, vmax=m, interpolation="nearest")
            fig.colorbar(im, ax=ax[1, col], fraction=0.046, pad=0.02, format="%.2g")
            ax[1, col].set_title(title + " (top 30 edges)")
            ax[1, col].set_xticks([])
            ax[1, col].set_yticks([])
        pp.save(fig, output_dir, "R9", caption=pp.check_caption(r))


if __name__ == "__main__":
    main(sys.argv[1])
