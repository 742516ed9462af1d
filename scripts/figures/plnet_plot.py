"""Reusable matplotlib panels for plnet's reproductions (docs/reproduce.md, "Figures").

Run with /usr/bin/python3 (Debian's numpy, matplotlib and h5py). Every function draws on a
given Axes and returns what it drew (a mappable for colour bars where there is one), so a
reproduction's script composes the paper's figure from these panels and calls save().

Arrays come from plnet's HDF5 files exactly as written (row-major, h5py shape = Eigen shape):
positions (N x d), edges (M x 2, node indices stored as doubles), per-edge values (M), per-node
values (N), and for periodic networks the box (d side lengths). With a box, a bond that crosses
the box is drawn as its pieces inside the box (the minimum-image bond, wrapped at the edges),
not as a line across the whole box.
"""

import json
import os
import re
import textwrap

import matplotlib

matplotlib.use("Agg")  # files only, no display
import h5py  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.colors import BoundaryNorm, ListedColormap, LogNorm, Normalize  # noqa: E402

__all__ = [
    "open_results", "network_arrays", "segments", "checks", "check_caption", "network",
    "node_field", "task_nodes", "spectra",
    "scatter_correlation", "stiff_mode_correlation", "curves", "eigenvalue_flow",
    "training_curve", "save", "figure", "log_range", "edge_overlay", "marker_legend",
]


def open_results(output_dir):
    """The reproduction's results.h5 in output_dir, opened read-only (an h5py.File)."""
    return h5py.File(os.path.join(output_dir, "results.h5"), "r")


def checks(results):
    """The check table stored in results.h5 (/reproduce/check_json) as a dict."""
    raw = results["reproduce/check_json"][()]
    return json.loads(raw.decode() if isinstance(raw, bytes) else raw)


def check_caption(results):
    """The reproduction's status for the figure: a header (size, seed, counts, where the full
    table is) and one line per check, 'PASS  name = measured'. The paper's claims and the
    criteria are left to check.md next to the figure; save() wraps long lines, never cuts them.

    The status is PASS, FAIL or DEVIATES (a failed check the reproduction documents as a known
    deviation from the paper)."""
    table = checks(results)
    rows = table["checks"]
    status = [c.get("status", "PASS" if c["passed"] else "FAIL") for c in rows]
    counts = ", ".join(f"{status.count(s)} {s}" for s in ("PASS", "DEVIATES", "FAIL")
                       if status.count(s))
    size = "quick size" if table.get("quick") else "full size"
    lines = [f"{table.get('id', '')} checks ({size}, seed {table.get('seed', '?')}): {counts}. "
             "Paper claims and criteria: check.md"]
    for c, st in zip(rows, status):
        measured = "n/a" if c["measured"] is None else f"{c['measured']:.3g}"
        lines.append(f"{st:<8} {c['name']} = {measured}")
    return "\n".join(lines)


def network_arrays(group):
    """(positions, edges, box) of the network stored under an HDF5 group (network/positions,
    network/edges, network/box); box is None for a network that is not periodic."""
    box = group["network/box"][()] if "network/box" in group else None
    return group["network/positions"][()], group["network/edges"][()], box


def _clip_to_box(start, end, box):
    """The part of each segment start -> end (K x 2) inside [0, Lx] x [0, Ly] (Liang-Barsky):
    returns (clipped starts, clipped ends, mask of segments with a part inside)."""
    d = end - start
    t0, t1 = np.zeros(len(start)), np.ones(len(start))
    inside = np.ones(len(start), dtype=bool)
    for c in range(2):
        for q_lo, sign in ((start[:, c], -1.0), (box[c] - start[:, c], 1.0)):
            p = sign * d[:, c]
            parallel = np.abs(p) < 1e-300
            inside &= ~(parallel & (q_lo < 0))
            with np.errstate(divide="ignore", invalid="ignore"):
                t = np.where(parallel, 0.0, q_lo / np.where(parallel, 1.0, p))
            entering = ~parallel & (p < 0)
            leaving = ~parallel & (p > 0)
            t0 = np.where(entering, np.maximum(t0, t), t0)
            t1 = np.where(leaving, np.minimum(t1, t), t1)
    inside &= t0 < t1
    return start + t0[:, None] * d, start + t1[:, None] * d, inside


def segments(positions, edges, box=None):
    """Line segments (K x 2 x 2) drawing the edges in the plane of the first two coordinates,
    and for each segment the index of its edge (K). Without a box, one segment per edge. With a
    periodic box, bond vectors are minimum images and a bond that crosses the box becomes its
    pieces inside the box: the bond drawn from each end's periodic copies, clipped at the box
    edges (two pieces, three when it passes near a corner)."""
    e = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    p = np.asarray(positions, dtype=float)[:, :2]
    a, b = p[e[:, 0]], p[e[:, 1]]
    index = np.arange(len(e))
    if box is None:
        return np.stack([a, b], axis=1), index
    L = np.asarray(box, dtype=float)[:2]
    raw = a - b
    bond = raw - L * np.round(raw / L)
    crossing = np.any(np.abs(bond - raw) > 1e-12 * L, axis=1)
    segs = [np.stack([a[~crossing], b[~crossing]], axis=1)]
    idx = [index[~crossing]]
    ca, cb, ci = a[crossing], a[crossing] - bond[crossing], index[crossing]
    for sx in (-1, 0, 1):
        for sy in (-1, 0, 1):
            shift = np.array([sx, sy]) * L
            s, t, keep = _clip_to_box(ca + shift, cb + shift, L)
            keep &= np.linalg.norm(t - s, axis=1) > 1e-12 * L.max()
            segs.append(np.stack([s[keep], t[keep]], axis=1))
            idx.append(ci[keep])
    return np.concatenate(segs), np.concatenate(idx)


def log_range(values, decades=4.0):
    """(vmin, vmax, clipped) for a logarithmic scale over `values`: vmax is the largest value
    and vmin the smallest positive one, but at most `decades` decades below vmax. Entries that
    are round-off or 20 decades below the rest otherwise make a panel one colour. clipped says
    whether anything lies below vmin (the caller says so in the label)."""
    v = np.asarray(values, dtype=float)
    positive = v[np.isfinite(v) & (v > 0)]
    if not positive.size:
        return 1e-300, 1.0, False
    vmax = positive.max()
    vmin = max(positive.min(), vmax * 10.0 ** -decades)
    return vmin, vmax, bool((v < vmin).any())


def _light_floor(cmap, start=0.12):
    """A sequential colour map without its palest end, so that edges at the bottom of the
    scale stay visible on a white background."""
    base = plt.get_cmap(cmap)
    return ListedColormap(base(np.linspace(start, 1.0, 256)), name=f"{base.name}_visible")


def network(ax, positions, edges, values=None, log=False, cmap="viridis", width=1.5,
            width_by_value=False, vmin=None, vmax=None, label=None, colorbar=True,
            decades=None, color="0.6", zorder=None, box=None):
    """The network drawn at its node positions, edges coloured by a per-edge quantity.

    values: length-M array (conductance, susceptibility, stiff-mode entry, current) or None
    (edges in `color`). log: logarithmic colour scale. decades (log only): the scale spans at
    most this many decades below the largest value; smaller values (and non-positive ones) are
    drawn in the bottom colour, the colour bar gets a triangle at its foot and the label says
    "values below max/10^decades at the floor". Without decades the scale runs from the
    smallest positive value. width_by_value: line widths also grow with the value
    (rank-scaled). box: the periodic box (network_arrays) or None; bonds crossing it are drawn
    wrapped at its edges. Returns the LineCollection (a mappable)."""
    segs, index = segments(positions, edges, box)
    extend = "neither"
    if values is None:
        lc = LineCollection(segs, colors=color, linewidths=width, zorder=zorder)
    else:
        v = np.asarray(values, dtype=float)
        if log:
            low, high, clipped = log_range(v, decades if decades is not None else np.inf)
            v = np.maximum(v, low)
            norm = LogNorm(vmin=vmin or low, vmax=vmax or high)
            if clipped:
                extend = "min"
                if label:
                    label = f"{label}\n(< max/1e{decades:g} at the floor)"
            if isinstance(cmap, str) and cmap in ("Greys", "Purples", "Oranges", "Blues",
                                                  "Reds", "Greens"):
                cmap = _light_floor(cmap)
        else:
            norm = Normalize(vmin=v.min() if vmin is None else vmin,
                             vmax=v.max() if vmax is None else vmax)
        widths = width
        if width_by_value:
            ranks = np.argsort(np.argsort(v)) / max(len(v) - 1, 1)
            widths = (width * (0.3 + 1.7 * ranks))[index]
        lc = LineCollection(segs, array=v[index], cmap=cmap, norm=norm, linewidths=widths,
                            zorder=zorder)
    ax.add_collection(lc)
    if box is not None:
        L = np.asarray(box, dtype=float)[:2]
        ax.add_patch(plt.Rectangle((0.0, 0.0), L[0], L[1], fill=False, lw=0.5, ls=":",
                                   ec="0.7", zorder=0))
    ax.autoscale()
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    if values is not None and colorbar:
        cb = plt.colorbar(lc, ax=ax, fraction=0.046, pad=0.02, extend=extend)
        if label:
            cb.set_label(label)
    return lc


def edge_overlay(ax, positions, edges, subset, color="tab:red", width=2.5, ls="-", label=None,
                 zorder=3, box=None):
    """A subset of edges (indices into `edges`) drawn on top of a network panel in one colour,
    with the same bond geometry as network(); label makes it a legend entry."""
    subset = np.asarray(subset, dtype=np.int64)
    if not subset.size:
        return None
    lc = network(ax, positions, np.asarray(edges)[subset], None, color=color, width=width,
                 zorder=zorder, box=box)
    lc.set_linestyle(ls)
    if label:
        lc.set_label(label)
    return lc


def node_field(ax, positions, edges, node_values, cmap="coolwarm", size=18, label=None,
               box=None):
    """A node field (voltages, pressures): grey edges, nodes coloured by value."""
    network(ax, positions, edges, None, width=0.6, box=box)
    p = np.asarray(positions)[:, :2]
    sc = ax.scatter(p[:, 0], p[:, 1], c=np.asarray(node_values), cmap=cmap, s=size, zorder=3,
                    edgecolors="none")
    cb = plt.colorbar(sc, ax=ax, fraction=0.046, pad=0.02)
    if label:
        cb.set_label(label)
    return sc


def task_nodes(ax, positions, inputs=(), outputs=(), held=(), size=70, legend=True,
               labels=("source", "target", "ground")):
    """000's markers: sources red circles, targets blue circles, grounds white squares, with a
    legend under the panel (legend=False: the caller places it, e.g. with marker_legend)."""
    p = np.asarray(positions)[:, :2]
    for nodes, style in ((inputs, dict(c="red", marker="o", label=labels[0])),
                         (outputs, dict(c="blue", marker="o", label=labels[1])),
                         (held, dict(c="white", marker="s", label=labels[2]))):
        nodes = np.asarray(nodes, dtype=np.int64)
        if nodes.size:
            ax.scatter(p[nodes, 0], p[nodes, 1], s=size, edgecolors="k", zorder=4, **style)
    if legend:
        marker_legend(ax)


def marker_legend(ax, fontsize=8, ncol=None, below=0.0, **kwargs):
    """The panel's labelled artists (task markers, overlays) as a legend under the panel (one
    row unless ncol says otherwise; below: extra offset in axes units, for tick labels; kwargs
    go to Axes.legend)."""
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -below),
                  ncol=ncol or len(handles), frameon=False, fontsize=fontsize, handletextpad=0.3,
                  columnspacing=1.0, borderaxespad=0.3, **kwargs)


def spectra(ax, before, after, labels=("before training", "after training"), stiff=None,
            floor=1e-16):
    """Eigenvalue spectra as |value| against rank (descending), log scale; `stiff` marks the
    expected number of stiff modes with a vertical line. Eigenvalues below floor x the largest
    are round-off of a zero eigenvalue: they are drawn on the floor (triangles) in a grey band
    rather than spread over further decades. The first spectrum is drawn as open circles so
    that it stays visible where the second coincides with it."""
    top = max(np.abs(np.asarray(v)).max() for v in (before, after) if v is not None)
    low = top * floor
    clipped = False
    for values, lab, style in ((before, labels[0], dict(mec="0.55", mfc="none", marker="o",
                                                         ms=4)),
                               (after, labels[1], dict(c="k", marker=".", ms=5))):
        if values is None:
            continue
        v = np.sort(np.abs(np.asarray(values)))[::-1]
        rank = np.arange(1, len(v) + 1)
        above = v >= low
        ax.plot(rank[above], v[above], ls="none", label=lab, **style)
        if (~above).any():
            clipped = True
            ax.plot(rank[~above], np.full((~above).sum(), low), ls="none",
                    **dict(style, marker="v"))
    if clipped:
        ax.axhspan(low / 10, low, color="0.9", zorder=0,
                   label=f"< {floor:.0e} x max (round-off)")
        ax.set_ylim(low / 10, top * 5)
    if stiff:
        ax.axvline(stiff + 0.5, c="tab:red", lw=0.8, ls="--")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("rank")
    ax.set_ylabel("eigenvalue")
    ax.legend(frameon=False)


def _spearman(x, y):
    rx = np.argsort(np.argsort(x))
    ry = np.argsort(np.argsort(y))
    return np.corrcoef(rx, ry)[0, 1]


def scatter_correlation(ax, x, y, logx=True, logy=True, label=None, color=None, annotate=True,
                        xlabel=None, ylabel=None):
    """Scatter of y against x with its Spearman rank correlation in the legend/label."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    rho = _spearman(x, y)
    text = f"rho = {rho:.2f}" if label is None else f"{label} (rho = {rho:.2f})"
    ax.scatter(x, y, s=6, alpha=0.6, color=color, label=text if annotate else label)
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    if xlabel:
        ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    return rho


def stiff_mode_correlation(ax, susceptibility, modes, legend_size=7):
    """|Psi_rho,i| of every stiff mode (columns of `modes`) against ||s_i||^2, one colour per
    mode with its Spearman rho (000 Figs. 4d, 5d, 6c). Up to four modes a legend names each
    mode's rho; more would cover the points, so the modes are coloured by rank with a colour
    bar and the range of their rho is written in the panel."""
    k = modes.shape[1]
    if k <= 4:
        for j in range(k):
            scatter_correlation(ax, susceptibility, np.abs(modes[:, j]) + 1e-300,
                                label=f"mode {j + 1}", xlabel="||s_i||^2", ylabel="|Psi_rho,i|")
        ax.legend(frameon=False, fontsize=legend_size, markerscale=2)
    else:
        s2 = np.asarray(susceptibility, dtype=float)
        psi = np.abs(np.asarray(modes, dtype=float)) + 1e-300
        rho = [_spearman(s2, psi[:, j]) for j in range(k)]
        rank = np.broadcast_to(np.arange(1, k + 1), psi.shape)
        norm = BoundaryNorm(np.arange(0.5, k + 1), plt.get_cmap("viridis").N)
        sc = ax.scatter(np.broadcast_to(s2[:, None], psi.shape).ravel(), psi.ravel(), s=5,
                        alpha=0.5, c=rank.ravel(), cmap="viridis", norm=norm)
        ax.set(xscale="log", yscale="log", xlabel="||s_i||^2", ylabel="|Psi_rho,i|")
        cb = plt.colorbar(sc, ax=ax, fraction=0.046, pad=0.02,
                          ticks=np.unique(np.linspace(1, k, min(k, 10)).round().astype(int)))
        cb.set_label("stiff mode (1: stiffest)")
        ax.text(0.97, 0.03, f"Spearman rho per mode:\n{min(rho):.2f} to {max(rho):.2f}",
                transform=ax.transAxes, ha="right", va="bottom", fontsize=legend_size + 1)
    ax.set_ylim(np.abs(modes).max() * 1e-8, np.abs(modes).max() * 2)


def curves(ax, x, means, errors=None, labels=None, logx=False, logy=False, xlabel=None,
           ylabel=None):
    """Curves with error bars: means and errors are (k x n) arrays or lists of length-n arrays
    (error bars: standard error or sd, as the caller states in the label)."""
    means = np.atleast_2d(np.asarray(means, dtype=float))
    errs = None if errors is None else np.atleast_2d(np.asarray(errors, dtype=float))
    for k in range(means.shape[0]):
        lab = None if labels is None else labels[k]
        if errs is None:
            ax.plot(x, means[k], marker="o", ms=3, label=lab)
        else:
            ax.errorbar(x, means[k], yerr=errs[k], marker="o", ms=3, capsize=2, label=lab)
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    if xlabel:
        ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    if labels is not None:
        ax.legend(frameon=False)


def eigenvalue_flow(ax, steps, values, logy=True, color="k", alpha=0.6):
    """Eigenvalue flow: values is (T x k), one row per logged step, one line per eigenvalue."""
    values = np.asarray(values, dtype=float)
    ax.plot(np.asarray(steps), values, color=color, alpha=alpha, lw=0.8)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel("training step")
    ax.set_ylabel("eigenvalue")


def training_curve(ax, group, label="training cost", test_label="test cost"):
    """The training cost (and test cost, if logged) of an h5py group with log/*."""
    step = group["log/step"][()]
    ax.plot(step, group["log/train_cost"][()], c="k", label=label)
    test = group["log/test_cost"][()]
    if np.all(test >= 0):
        ax.plot(step, test, c="tab:orange", label=test_label)
    ax.set_yscale("log")
    if step.max() > 100 * max(step[step > 0].min(initial=1), 1):
        ax.set_xscale("log")
    ax.set_xlabel("training step")
    ax.set_ylabel("cost")
    ax.legend(frameon=False)


def figure(rows, cols, size=3.6, aspect=1.15):
    """A figure of rows x cols panels, each about (aspect x size) x size inches (network panels
    are square with a colour bar: aspect 1.15 leaves room for it)."""
    fig, axes = plt.subplots(rows, cols, figsize=(size * cols * aspect, size * rows),
                             squeeze=False)
    return fig, axes


CAPTION_FONTSIZE = 8


def _wrap_caption(caption, width_inches, fontsize=CAPTION_FONTSIZE):
    """The caption's lines wrapped at the figure's width (monospace glyphs are 0.6 em wide);
    continuation lines are indented past the status word."""
    chars = max(40, int(width_inches * 72 / (0.6 * fontsize)) - 6)
    out = []
    for line in caption.split("\n"):
        m = re.match(r"(PASS|FAIL|DEVIATES)\s+", line)
        indent = " " * (m.end() if m else 2)
        out.extend(textwrap.wrap(line, width=chars, subsequent_indent=indent,
                                 break_on_hyphens=False) or [""])
    return "\n".join(out)


def save(fig, output_dir, name, caption=None):
    """Writes <output_dir>/<name>.png (150 dpi) and .svg; caption (e.g. check_caption) goes
    under the panels, wrapped to the figure's width."""
    if caption:
        width, height = fig.get_size_inches()
        text = _wrap_caption(caption, width)
        n = text.count("\n") + 1
        line = CAPTION_FONTSIZE * 1.25 / 72  # inches per line
        fig.text(0.01, 0.08 / height, text, family="monospace", fontsize=CAPTION_FONTSIZE,
                 va="bottom", linespacing=1.25)
        fig.tight_layout(rect=(0, min(0.6, (n * line + 0.12) / height), 1, 1))
    else:
        fig.tight_layout()
    paths = []
    for ext in ("png", "svg"):
        path = os.path.join(output_dir, f"{name}.{ext}")
        fig.savefig(path, dpi=150)
        paths.append(path)
    plt.close(fig)
    return paths
