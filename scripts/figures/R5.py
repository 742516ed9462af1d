"""R5 (000 Fig. 7): partial over full susceptibility against the number of softest modes of
000's bordered Hessian, for the four tasks, mean and standard deviation over initial conditions.

Usage: /usr/bin/python3 scripts/figures/R5.py <output dir of `plnet reproduce R5`>"""

import sys

import numpy as np

import plnet_plot as pp


def main(output_dir):
    with pp.open_results(output_dir) as r:
        a = r["analysis"]
        n = a["modes"][()]
        tasks = [k for k in a.keys() if isinstance(a[k], type(a)) or hasattr(a[k], "keys")]
        fig, ax = pp.figure(1, 2, size=4.2)
        for shift, task in enumerate(tasks):
            g = a[task]
            for panel, key in ((ax[0, 0], "total_ratio"), (ax[0, 1], "mean_ratio")):
                m = g[key][()]
                x = n * (1.0 + 0.02 * (shift - 1.5))  # shifted apart as in 000 Fig. 7
                sd = m.std(axis=0, ddof=1) if m.shape[0] > 1 else np.zeros(m.shape[1])
                panel.errorbar(x, m.mean(axis=0), yerr=sd, marker="o", ms=3, capsize=2,
                               label=f"{task} ({m.shape[0]} initial conditions)")
        for panel, title in ((ax[0, 0], "sum_i ||s_i^(n)||^2 / sum_i ||s_i||^2"),
                             (ax[0, 1], "mean over edges of ||s_i^(n)||^2 / ||s_i||^2")):
            panel.set_xscale("log")
            panel.axvspan(2, 10, color="0.9", zorder=0, label="000: saturates by n = 2..10")
            panel.axhline(0.9, c="k", lw=0.6, ls="--")
            panel.set_xlabel("number of softest modes n")
            panel.set_ylabel("partial / full")
            panel.set_ylim(0, 1.05)
            panel.set_title(title, fontsize=10)
        ax[0, 0].legend(frameon=False, fontsize=8, loc="lower right")
        pp.save(fig, output_dir, "R5", caption=pp.check_caption(r))


if __name__ == "__main__":
    main(sys.argv[1])
