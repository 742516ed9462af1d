"""R18 (004 App. F, L): the two-phase estimate against the nudge beta on random nanowire
networks: finite-nudge error, label-noise bias (Monte Carlo and closed form), distance to the
exact gradient, and the projector gradient's unbiasedness.

Usage: /usr/bin/python3 scripts/figures/R18.py <output dir of `plnet reproduce R18`>"""

import sys

import numpy as np

import plnet_plot as pp


def band(ax, x, rows, color, label):
    """Median over networks (rows) with the interquartile band."""
    q1, med, q3 = np.percentile(rows, [25, 50, 75], axis=0)
    ax.fill_between(x, q1, q3, color=color, alpha=0.25, lw=0)
    ax.plot(x, med, marker="o", ms=3, color=color, label=label)


out = sys.argv[1]
with pp.open_results(out) as r:
    a = r["analysis"]
    beta = a["betas"][()]
    sd = float(a["noise_sd"][()])
    fig, axes = pp.figure(2, 2, size=3.8, aspect=1.25)
    ax = axes.ravel()

    band(ax[0], beta, a["finite_nudge_error"][()], "k", "|T(beta) - T_0| / |T_0|")
    ax[0].plot(beta, beta / beta[0] * np.median(a["finite_nudge_error"][()][:, 0]), "k:",
               lw=0.8, label="slope 1")
    ax[0].set(xscale="log", yscale="log", xlabel="nudge beta", ylabel="relative error",
              title="finite-nudge error (App. F)")
    ax[0].legend(frameon=False, fontsize=8)

    mc, se, cf = a["noise_bias"][()], a["noise_bias_error"][()], a["predicted_noise_bias"][()]
    band(ax[1], beta, cf, "tab:red", "closed form (eq. 144)")
    med = np.median(mc, axis=0)
    ax[1].errorbar(beta, med, yerr=np.median(se, axis=0), fmt="s", ms=3, color="k", capsize=2,
                   label="Monte Carlo (median, +- median s.e.)")
    ax[1].set(xscale="log", yscale="log", xlabel="nudge beta", ylabel="bias / |T_0|",
              title=f"label-noise bias, sd {sd:g} (App. L)")
    ax[1].legend(frameon=False, fontsize=8)

    band(ax[2], beta, a["error_to_exact"][()], "tab:blue", "|T(beta) - exact| / |exact|")
    ax[2].set(xscale="log", yscale="log", xlabel="nudge beta", ylabel="relative error",
              title="two-phase vs exact gradient")
    ax[2].legend(frameon=False, fontsize=8)

    k = int(np.argmin(np.abs(np.log(beta / 0.3))))
    z_two = mc[:, k] / se[:, k]
    z_exact = a["exact_noise_bias"][()] / a["exact_noise_bias_error"][()]
    bins = np.logspace(np.log10(max(min(z_exact.min(), z_two.min()), 1e-2)),
                       np.log10(max(z_exact.max(), z_two.max()) * 1.1), 25)
    ax[3].hist(z_exact, bins=bins, color="tab:green", alpha=0.7, label="projector (exact)")
    ax[3].hist(z_two, bins=bins, color="tab:red", alpha=0.7, label=f"two-phase, beta {beta[k]:g}")
    ax[3].axvline(4, color="k", ls=":", lw=0.8)
    ax[3].set(xscale="log", xlabel="noise-induced shift / its s.e.", ylabel="networks",
              title="bias under label noise")
    ax[3].legend(frameon=False, fontsize=8)
    pp.save(fig, out, "R18", caption=pp.check_caption(r))
