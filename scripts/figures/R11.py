"""R11 (003 Fig. 5): five simultaneous tasks. Per part (node, flow): the spectrum of one
network before and after training, the mean eigenvalue shift by rank, and the mean alignment of
each mode with the span of the task inputs by rank (bottom and top), against a random direction.

Usage: /usr/bin/python3 scripts/figures/R11.py <output dir of `plnet reproduce R11`>"""

import sys

import numpy as np
from matplotlib.ticker import LogFormatterSciNotation

import plnet_plot as pp


def main(output_dir):
    with pp.open_results(output_dir) as r:
        a = r["analysis"]
        parts = [p for p in ("node", "flow") if p in a]
        fig, ax = pp.figure(len(parts), 3, size=3.8)
        for row, part in enumerate(parts):
            g = a[part]
            first = g["realisation0"][()]
            k = np.arange(1, first.shape[0] + 1)
            ax[row, 0].plot(k, first[:, 0], "o", ms=3, c="0.6", label="before training")
            ax[row, 0].plot(k, first[:, 1], "o", ms=3, c="k", label="after training")
            ax[row, 0].set_yscale("log")
            # Label 2x and 5x ticks too: the node spectrum spans little more than a decade.
            ax[row, 0].yaxis.set_minor_formatter(
                LogFormatterSciNotation(labelOnlyBase=False, minor_thresholds=(2, 0.4)))
            ax[row, 0].set_xlabel("rank")
            ax[row, 0].set_ylabel("eigenvalue")
            ax[row, 0].legend(frameon=False, fontsize=7)
            ax[row, 0].set_title(f"{part}: one network", fontsize=10)
            bottom, top = g["log_shift_from_bottom"][()], g["log_shift_from_top"][()]
            n = len(bottom)
            ax[row, 1].bar(np.arange(1, n + 1), bottom, color="tab:blue", label="from the bottom")
            ax[row, 1].bar(-np.arange(1, 6), top[:5], color="tab:orange",
                           label="top 5 (rank from the top)")
            ax[row, 1].axhline(0, c="k", lw=0.6)
            ax[row, 1].set_xlabel("rank (negative: from the top)")
            ax[row, 1].set_ylabel(r"mean $\log(\lambda_{after} / \lambda_{before})$")
            ax[row, 1].legend(frameon=False, fontsize=7)
            ax[row, 1].set_title("eigenvalue shift (mean over realisations)", fontsize=10)
            al, at = g["alignment_from_bottom"][()], g["alignment_from_top"][()]
            before = g["alignment_from_bottom_before"][()]
            rnd = float(g["random_alignment"][()])
            ax[row, 2].plot(np.arange(1, len(al) + 1), al, "o-", ms=3, c="tab:blue",
                            label="after, from the bottom")
            ax[row, 2].plot(np.arange(1, len(before) + 1), before, ".", c="0.6",
                            label="before training")
            ax[row, 2].plot(-np.arange(1, 6), at[:5], "o", ms=4, c="tab:orange",
                            label="after, top 5")
            if "output_alignment_from_bottom" in g:
                out = g["output_alignment_from_bottom"][()]
                ax[row, 2].plot(np.arange(1, len(out) + 1), out, "s-", ms=2, c="tab:green",
                                lw=0.8, label="with the target forces")
            ax[row, 2].axhline(rnd, c="k", ls="--", lw=0.8, label="random n_T / n")
            ax[row, 2].set_xlabel("rank (negative: from the top)")
            ax[row, 2].set_ylabel("|P v_k|^2 on the inputs' span")
            pp.marker_legend(ax[row, 2], fontsize=8, ncol=2, below=0.25)
            ax[row, 2].set_title("alignment with the task inputs", fontsize=10)
        pp.save(fig, output_dir, "R11", caption=pp.check_caption(r))


if __name__ == "__main__":
    main(sys.argv[1])
