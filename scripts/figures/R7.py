"""R7 (000 eq. 12): cost Hessian against L : S, entry by entry.

Usage: /usr/bin/python3 scripts/figures/R7.py <output dir of `plnet reproduce R7`>"""

import sys

import numpy as np

import plnet_plot as pp

with pp.open_results(sys.argv[1]) as r:
    a = r["analysis"]
    h, hs, ls = a["hessian"][()], a["hessian_saturated"][()], a["double_dot"][()]
    fig, ax = pp.figure(1, 3)
    iu = np.triu_indices_from(h)
    for axis, ref, name in ((ax[0, 0], hs, "H_sat"), (ax[0, 1], h, "H")):
        x, y = np.abs(ref[iu]), np.abs(ls[iu])
        keep = (x > 0) & (y > 0)
        axis.loglog(x[keep], y[keep], ".", ms=2, c="k")
        lim = [x[keep].min(), x[keep].max()]
        axis.plot(lim, lim, c="tab:red", lw=0.8)
        axis.set_xlabel(f"|{name}_ij| (exact)")
        axis.set_ylabel("|(L:S)_ij|")
        axis.set_title(f"L:S vs {name}")
    pp.spectra(ax[0, 2], np.linalg.eigvalsh(ls), np.linalg.eigvalsh(h), labels=("L:S", "H"))
    ax[0, 2].set_title("spectra")
    pp.save(fig, sys.argv[1], "R7", caption=pp.check_caption(r))
