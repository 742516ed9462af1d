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

import matplotlib

matplotlib.use("Agg")  # files only, no display
import h5py  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.colors import LogNorm, Normalize  # noqa: E402

__all__ = [
    "open_results", "network_arrays", "segments", "checks", "check_caption", "network",
    "node_field", "task_nodes", "spectra",
    "scatter_correlation", "stiff_mode_correlation", "curves", "eigenvalue_flow",
    "training_curve", "save", "figure",
]


def open_results(output_dir):
    """The reproduction's results.h5 in output_dir, opened read-only (an h5py.File)."""
    return h5py.File(os.path.join(output_dir, "results.h5"), "r")


def checks(results):
    """The check table stored in results.h5 (/reproduce/check_json) as a dict."""
    raw = results["reproduce/check_json"][()]
    return json.loads(raw.decode() if isinstance(raw, bytes) else raw)


def check_caption(results, width=110):
    """One line per check: 'PASS name: measured (paper: claim)', wrapped to `width`.

    The status is PASS, FAIL or DEVIATES (a failed check the reproduction documents as a known
    deviation from the paper)."""
    lines = []
    for c in checks(results)["checks"]:
        measured = "n/a" if c["measured"] is None else f"{c['measured']:.3g}"
        line = f"{c.get('status', 'PASS' if c['passed'] else 'FAIL')}  {c['name']}: {measured} (paper: {c['paper']})"
        lines.append(line if len(line) <= width else line[: width - 3] + "...")
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


def network(ax, positions, edges, values=None, log=False, cmap="viridis", width=1.5,
            width_by_value=False, vmin=None, vmax=None, label=None, colorbar=True, box=None):
    """The network drawn at its node positions, edges coloured by a per-edge quantity.

    values: length-M array (conductance, susceptibility, stiff-mode entry, current) or None
    (grey edges). log: logarithmic colour scale (non-positive values are clipped to the smallest
    positive one). width_by_value: line widths also grow with the value (rank-scaled). box: the
    periodic box (network_arrays) or None; bonds crossing it are drawn wrapped at its edges.
    Returns the LineCollection (a mappable)."""
    segs, index = segments(positions, edges, box)
    if values is None:
        lc = LineCollection(segs, colors="0.6", linewidths=width)
    else:
        v = np.asarray(values, dtype=float)
        if log:
            positive = v[v > 0]
            floor = positive.min() if positive.size else 1e-300
            v = np.maximum(v, floor)
            norm = LogNorm(vmin=vmin or v.min(), vmax=vmax or v.max())
        else:
            norm = Normalize(vmin=v.min() if vmin is None else vmin,
                             vmax=v.max() if vmax is None else vmax)
        widths = width
        if width_by_value:
            ranks = np.argsort(np.argsort(v)) / max(len(v) - 1, 1)
            widths = (width * (0.3 + 1.7 * ranks))[index]
        lc = LineCollection(segs, array=v[index], cmap=cmap, norm=norm, linewidths=widths)
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
        cb = plt.colorbar(lc, ax=ax, fraction=0.046, pad=0.02)
        if label:
            cb.set_label(label)
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


def task_nodes(ax, positions, inputs=(), outputs=(), held=(), size=70):
    """000's markers: sources red circles, targets blue circles, grounds white squares."""
    p = np.asarray(positions)[:, :2]
    for nodes, style in ((inputs, dict(c="red", marker="o", label="source")),
                         (outputs, dict(c="blue", marker="o", label="target")),
                         (held, dict(c="white", marker="s", label="ground"))):
        nodes = np.asarray(nodes, dtype=np.int64)
        if nodes.size:
            ax.scatter(p[nodes, 0], p[nodes, 1], s=size, edgecolors="k", zorder=4, **style)


def spectra(ax, before, after, labels=("before training", "after training"), stiff=None):
    """Eigenvalue spectra as |value| against rank (descending), log scale; `stiff` marks the
    expected number of stiff modes with a vertical line."""
    for values, lab, style in ((before, labels[0], dict(c="0.6", marker=".")),
                               (after, labels[1], dict(c="k", marker="."))):
        if values is None:
            continue
        v = np.sort(np.abs(np.asarray(values)))[::-1]
        ax.plot(np.arange(1, len(v) + 1), v, ls="none", label=lab, **style)
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
    mode with its Spearman rho (000 Figs. 4d, 5d, 6c)."""
    for j in range(modes.shape[1]):
        scatter_correlation(ax, susceptibility, np.abs(modes[:, j]) + 1e-300,
                            label=f"mode {j + 1}", xlabel="||s_i||^2", ylabel="|Psi_rho,i|")
    ax.set_ylim(np.abs(modes).max() * 1e-8, np.abs(modes).max() * 2)
    ax.legend(frameon=False, fontsize=legend_size)


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


def training_curve(ax, group, label="training cost"):
    """The training cost (and test cost, if logged) of an h5py group with log/*."""
    step = group["log/step"][()]
    ax.plot(step, group["log/train_cost"][()], c="k", label=label)
    test = group["log/test_cost"][()]
    if np.all(test >= 0):
        ax.plot(step, test, c="tab:orange", label="test cost")
    ax.set_yscale("log")
    if step.max() > 100 * max(step[step > 0].min(initial=1), 1):
        ax.set_xscale("log")
    ax.set_xlabel("training step")
    ax.set_ylabel("cost")
    ax.legend(frameon=False)


def figure(rows, cols, size=3.6):
    """A figure of rows x cols panels, each about size x size inches."""
    fig, axes = plt.subplots(rows, cols, figsize=(size * cols * 1.15, size * rows),
                             squeeze=False)
    return fig, axes


def save(fig, output_dir, name, caption=None):
    """Writes <output_dir>/<name>.png (150 dpi) and .svg; caption (e.g. check_caption) goes
    under the panels."""
    if caption:
        n = caption.count("\n") + 1
        fig.text(0.01, 0.005, caption, family="monospace", fontsize=7, va="bottom")
        fig.tight_layout(rect=(0, 0.025 * n + 0.01, 1, 1))
    else:
        fig.tight_layout()
    paths = []
    for ext in ("png", "svg"):
        path = os.path.join(output_dir, f"{name}.{ext}")
        fig.savefig(path, dpi=150)
        paths.append(path)
    plt.close(fig)
    return paths
