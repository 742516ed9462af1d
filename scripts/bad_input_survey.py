#!/usr/bin/python3
"""Bad-input survey of the plnet command line.

Builds a corpus of bad inputs across every subcommand (wrong TOML types for every key, missing,
unreadable, truncated and bit-flipped files, directories given as files, huge sizes, negative,
NaN and infinite values, bad flags, outputs that are inputs or sit in missing or read-only
directories, a full standard output), runs `plnet` on each with a timeout in a private copy of
a set of good files, and classifies the outcome:

  crash      killed by a signal, or a sanitizer / abort report on standard error
  hang       still running at the timeout
  accepted   exit 0 where the input is bad
  clobbered  a file that existed before the run changed or disappeared
  message    the error is not exactly one line "plnet: error: ..." naming the file, key or flag

Usage: bad_input_survey.py [path/to/plnet] [--timeout S] [--jobs N] [--keep DIR]
Exit status 1 if any case crashed, hung, was accepted or clobbered a file; the table of counts
and every failure (bad messages included) are printed.
"""

import argparse
import concurrent.futures
import hashlib
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time

NOBODY = 65534

# ---------------------------------------------------------------- the good files

NETWORK_JSON = None  # written by `plnet generate` in make_fixtures

EXPERIMENT = {
    "network": {"generator": '"erdos-renyi"', "nodes": "30", "degree": "4", "seed": "3"},
    "parameters": {"init": '"uniform"', "low": "0.5", "high": "1.0"},
    "task": {
        "ground": "[0]",
        "inputs": "[{node = 1}, {node = 2}]",
        "outputs": "[{node = 20}, {node = 25}]",
    },
    "data": {"kind": '"linear"', "map": '"000_eq1"', "samples": "20", "train_fraction": "0.75"},
    "rule": {"kind": '"coupled"', "nudge": "0.01"},
    "protocol": {"learning_rate": "0.5", "steps": "60", "batch": "5", "seed": "7"},
    "logging": {"every": "10", "parameters_every": "20", "checkpoint_every": "20"},
}


def render(sections):
    lines = []
    for name, keys in sections.items():
        lines.append(f"[{name}]")
        lines += [f"{k} = {v}" for k, v in keys.items()]
    return "\n".join(lines) + "\n"


def experiment(changes=None, drop=()):
    """EXPERIMENT with changes {(section, key): value_text} (None removes the key)."""
    sections = {name: dict(keys) for name, keys in EXPERIMENT.items()}
    for (section, key), value in (changes or {}).items():
        sections.setdefault(section, {})
        if value is None:
            sections[section].pop(key, None)
        else:
            sections[section][key] = value
    for section in drop:
        sections.pop(section, None)
    return render(sections)


# Every key of an experiment file and the TOML type it takes (docs/experiment.md).
KEYS = {
    "experiment": {"description": "str"},
    "network": {"model": "str", "file": "str", "generator": "str", "seed": "int", "nodes": "int",
                "dimension": "int", "phi": "float", "degree": "float", "rows": "int",
                "cols": "int", "remove_fraction": "float", "wires": "int",
                "stick_length": "float"},
    "parameters": {"init": "str", "seed": "int", "low": "float", "high": "float",
                   "value": "float", "file": "str", "diagonal_shift": "float"},
    "task": {"ground": "intarray", "fixed": "tables", "inputs": "tables", "outputs": "tables",
             "edge_inputs": "int", "edge_outputs": "int", "edge_seed": "int",
             "input_gain": "float"},
    "data": {"kind": "str", "map": "map", "samples": "int", "low": "float", "high": "float",
             "sd": "float", "seed": "int", "split_seed": "int", "train_fraction": "float",
             "train_per_class": "int", "pca": "int", "standardize": "str", "encoding": "str",
             "target_low": "float", "target_high": "float", "inputs": "rows", "targets": "rows",
             "outputs": "int", "noise_sd": "float", "per_class": "int", "data_dir": "str",
             "file": "str", "label": "str", "targets_columns": "strarray", "tasks": "int"},
    "loss": {"kind": "str", "reduction": "str", "margin": "float"},
    "rule": {"kind": "str", "nudge": "float", "order": "int", "nudge_kind": "str"},
    "protocol": {"learning_rate": "float", "steps": "int", "batch": "batch", "learn": "str",
                 "bounds": "floatarray", "noise_sd": "float", "update_fraction": "float",
                 "freeze_probability": "float", "stop_cost": "float", "seed": "int"},
    "logging": {"every": "int", "parameters_every": "int", "checkpoint_every": "int"},
    "solver": {"backend": "str"},
}
WRONG = {"str": "5", "int": '"ten"', "float": '"x"', "intarray": '"0"', "tables": "3",
         "map": "true", "rows": '"x"', "strarray": "2", "floatarray": "1.0", "batch": "[5]"}
# A second wrong value for the numeric keys: a float where an integer goes, a boolean.
WRONG2 = {"int": "2.5", "float": "true"}

# ---------------------------------------------------------------- running one case


class Case:
    def __init__(self, group, name, args, expect="error", needles=(), setup=None,
                 stdout=None, nobody=False, allowed=()):
        self.group, self.name, self.args = group, name, args
        self.expect = expect        # "error", "ok" or "any" (a bit flip may be harmless)
        self.needles = needles      # each must appear in the error line
        self.setup = setup          # setup(dir) before the run
        self.stdout = stdout        # None: a pipe; "/dev/full"
        self.nobody = nobody        # run as user nobody (unreadable files as root)
        self.allowed = set(allowed)  # files the run may change


def snapshot(directory):
    files = {}
    for root, _, names in os.walk(directory):
        for name in names:
            path = os.path.join(root, name)
            rel = os.path.relpath(path, directory)
            try:
                with open(path, "rb") as f:
                    files[rel] = hashlib.sha256(f.read()).hexdigest()
            except OSError:
                files[rel] = "unreadable:" + str(os.lstat(path).st_mode)
    return files


SANITIZER = ("AddressSanitizer", "UndefinedBehaviorSanitizer", "LeakSanitizer",
             "runtime error:", "terminate called", "double free", "corrupted",
             "Segmentation fault", "Aborted", "HDF5-DIAG")


def run_case(case, plnet, fixtures, work, timeout):
    directory = os.path.join(work, f"{case.group}-{case.name}".replace("/", "_"))
    shutil.copytree(fixtures, directory, symlinks=True)
    if case.nobody:
        for root, dirs, names in os.walk(directory):
            for n in dirs + names:
                os.chmod(os.path.join(root, n), 0o777 if n in dirs else 0o666)
        os.chmod(directory, 0o777)
    if case.setup:
        case.setup(directory)
    before = snapshot(directory)
    args = [plnet] + [a.replace("{d}", directory) for a in case.args]
    if case.nobody and os.geteuid() == 0:
        args = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"] + args
    out = open(case.stdout, "w") if case.stdout else subprocess.PIPE
    start = time.monotonic()
    outcome = {"case": case, "dir": directory}
    try:
        proc = subprocess.Popen(args, cwd=directory, stdout=out, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            outcome.update(kind="hang", detail=f"no exit after {timeout} s")
            return outcome
    finally:
        if case.stdout:
            out.close()
    outcome["seconds"] = time.monotonic() - start
    err = err.decode("utf-8", "replace")
    rc = proc.returncode
    outcome.update(rc=rc, err=err)
    after = snapshot(directory)
    changed = sorted(f for f, h in before.items()
                     if f not in case.allowed and after.get(f) != h)
    if rc < 0 or rc in (134, 136, 139) or any(s in err for s in SANITIZER):
        outcome.update(kind="crash", detail=f"exit {rc}: {err.strip()[:300]}")
    elif changed:
        outcome.update(kind="clobbered", detail=f"exit {rc}; changed: {', '.join(changed)}")
    elif case.expect == "error" and rc == 0:
        outcome.update(kind="accepted", detail=f"exit 0; stderr: {err.strip()[:200]}")
    elif case.expect == "ok" and rc != 0:
        outcome.update(kind="control", detail=f"exit {rc}: {err.strip()[:300]}")
    elif rc != 0:
        lines = err.splitlines()
        needles = [n.replace("{d}", directory) for n in case.needles]
        problem = None
        if len(lines) != 1 or not lines[0].startswith("plnet: error: "):
            problem = f"{len(lines)} lines"
        elif rc not in (1, 2):
            problem = f"exit {rc}"
        else:
            missing = [n for n in needles if n not in lines[0]]
            if missing:
                problem = "does not name " + ", ".join(repr(m) for m in missing)
        if problem:
            outcome.update(kind="message", detail=f"{problem}: {err.strip()[:300]}")
        else:
            outcome.update(kind="ok")
    else:
        outcome.update(kind="ok")
    return outcome


# ---------------------------------------------------------------- the good files


def make_fixtures(plnet, directory):
    def run(*args):
        subprocess.run([plnet] + list(args), cwd=directory, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    run("generate", "erdos-renyi", "--nodes", "30", "--degree", "4", "--seed", "3", "-o",
        "net.json")
    run("generate", "square", "--rows", "3", "--cols", "3", "-o", "net.txt")
    with open(os.path.join(directory, "exp.toml"), "w") as f:
        f.write(experiment())
    with open(os.path.join(directory, "file.toml"), "w") as f:
        f.write(experiment({("network", "file"): '"net.json"', ("network", "generator"): None,
                            ("network", "nodes"): None, ("network", "degree"): None,
                            ("network", "seed"): None, ("parameters", "init"): '"file"',
                            ("parameters", "file"): '"params.txt"',
                            ("parameters", "low"): None, ("parameters", "high"): None}))
    with open(os.path.join(directory, "csv.toml"), "w") as f:
        f.write(experiment({("data", "kind"): '"csv"', ("data", "map"): None,
                            ("data", "samples"): None, ("data", "file"): '"d.csv"',
                            ("data", "targets_columns"): '["y1", "y2"]'}))
    with open(os.path.join(directory, "d.csv"), "w") as f:
        f.write("x1,x2,y1,y2\n")
        rng = random.Random(5)
        for _ in range(20):
            f.write(",".join(f"{rng.uniform(0, 1):.4f}" for _ in range(4)) + "\n")
    with open(os.path.join(directory, "net.json")) as f:
        import json
        edges = len(json.load(f)["edges"])
    with open(os.path.join(directory, "params.txt"), "w") as f:
        f.write("\n".join("0.75" for _ in range(edges)) + "\n")
    with open(os.path.join(directory, "notes.txt"), "w") as f:
        f.write("a colleague's notes, not written by plnet\n")
    run("train", "-q", "exp.toml", "-o", "run.h5")
    run("train", "-q", "exp.toml", "--stop-after", "20", "-o", "half.h5", "--checkpoint",
        "half.ckpt")
    run("train", "-q", "file.toml", "-o", "filerun.h5")
    os.makedirs(os.path.join(directory, "adir"))


# ---------------------------------------------------------------- the corpus


def write(name, content, mode="w"):
    def setup(d):
        with open(os.path.join(d, name), mode) as f:
            f.write(content)
    return setup


def chain(*setups):
    def setup(d):
        for s in setups:
            s(d)
    return setup


def truncate(name, fraction):
    def setup(d):
        path = os.path.join(d, name)
        size = os.path.getsize(path)
        with open(path, "r+b") as f:
            f.truncate(int(size * fraction))
    return setup


def flip(name, seed):
    def setup(d):
        path = os.path.join(d, name)
        with open(path, "r+b") as f:
            data = bytearray(f.read())
            rng = random.Random(seed)
            at = rng.randrange(len(data))
            data[at] ^= 1 << rng.randrange(8)
            f.seek(0)
            f.write(data)
    return setup


def chmod(name, mode):
    return lambda d: os.chmod(os.path.join(d, name), mode)


def mkdir(name, mode=0o777):
    def setup(d):
        os.makedirs(os.path.join(d, name), exist_ok=True)
        os.chmod(os.path.join(d, name), mode)
    return setup


def replace_in(name, old, new):
    def setup(d):
        path = os.path.join(d, name)
        with open(path) as f:
            text = f.read()
        assert old in text, (name, old)
        with open(path, "w") as f:
            f.write(text.replace(old, new, 1))
    return setup


def corpus():
    cases = []

    def add(group, name, args, **kw):
        cases.append(Case(group, name, args, **kw))

    # -- top level and usage
    add("cli", "no-arguments", [], needles=())
    add("cli", "unknown-subcommand", ["frobnicate"], needles=["frobnicate"])
    add("cli", "unknown-flag", ["--bogus"], needles=["--bogus"])
    add("cli", "version-ok", ["--version"], expect="ok")
    for sub in ("generate", "solve", "train", "inspect", "analyze", "export", "reproduce"):
        add("cli", f"{sub}-bad-flag", [sub, "--no-such-flag"], needles=["--no-such-flag"])

    # -- generate
    gen = [
        ("nodes-negative", ["erdos-renyi", "--nodes", "-5"], "--nodes"),
        ("nodes-zero", ["erdos-renyi", "--nodes", "0"], "--nodes"),
        ("nodes-text", ["erdos-renyi", "--nodes", "abc"], "--nodes"),
        ("nodes-float", ["erdos-renyi", "--nodes", "2.5"], "--nodes"),
        ("nodes-1e99", ["erdos-renyi", "--nodes", "1e99"], "--nodes"),
        ("nodes-huge", ["erdos-renyi", "--nodes", "2000000000"], "--nodes"),
        ("degree-nan", ["erdos-renyi", "--degree", "nan"], "--degree"),
        ("degree-inf", ["erdos-renyi", "--degree", "inf"], "--degree"),
        ("degree-negative", ["erdos-renyi", "--degree", "-1"], "--degree"),
        ("degree-too-large", ["erdos-renyi", "--nodes", "10", "--degree", "20"], "--degree"),
        ("jammed-nodes-huge", ["jammed", "--nodes", "2000000000"], "--nodes"),
        ("jammed-phi", ["jammed", "--phi", "1.5"], "--phi"),
        ("jammed-phi-nan", ["jammed", "--phi", "nan"], "--phi"),
        ("jammed-dimension", ["jammed", "--dimension", "4"], "--dimension"),
        ("jammed-too-few", ["jammed", "--nodes", "3"], "--nodes"),
        ("square-rows-zero", ["square", "--rows", "0"], "--rows"),
        ("square-huge", ["square", "--rows", "40000", "--cols", "40000"], "--rows"),
        ("square-cols-overflow", ["square", "--rows", "3", "--cols", "9999999999"], "--cols"),
        ("triangular-cols-negative", ["triangular", "--cols", "-3"], "--cols"),
        ("complete-nodes-zero", ["complete", "--nodes", "0"], "--nodes"),
        ("complete-huge", ["complete", "--nodes", "60000"], "--nodes"),
        ("planar-remove-1", ["planar", "--remove-fraction", "1"], "--remove-fraction"),
        ("planar-nodes-huge", ["planar", "--nodes", "2000000000"], "--nodes"),
        ("nanowires-length-negative", ["nanowires", "--stick-length", "-1"], "--stick-length"),
        ("nanowires-length-inf", ["nanowires", "--stick-length", "inf"], "--stick-length"),
        ("nanowires-wires-zero", ["nanowires", "--wires", "0"], "--wires"),
        ("seed-negative", ["erdos-renyi", "--seed", "-1"], "--seed"),
        ("conductances-bogus", ["erdos-renyi", "--conductances", "bogus"], "--conductances"),
        ("conductances-reversed", ["erdos-renyi", "--conductances", "uniform:1:0"],
         "--conductances"),
        ("conductances-nan", ["erdos-renyi", "--conductances", "uniform:nan:1"],
         "--conductances"),
        ("conductances-zero", ["erdos-renyi", "--conductances", "loguniform:0:1"],
         "--conductances"),
        ("conductances-short", ["erdos-renyi", "--conductances", "uniform:1"], "--conductances"),
    ]
    for name, args, flag in gen:
        add("generate", name, ["generate"] + args + ["-o", "out.json"], needles=[flag])
    add("generate", "no-kind", ["generate"], needles=[])
    add("generate", "unknown-kind", ["generate", "hexagonal", "-o", "out.json"],
        needles=["hexagonal"])
    add("generate", "no-output", ["generate", "square"], needles=["--output"])
    add("generate", "output-missing-dir", ["generate", "square", "-o", "nodir/out.json"],
        needles=["-o", "nodir"])
    add("generate", "output-directory", ["generate", "square", "-o", "adir"],
        needles=["-o", "adir", "directory"])
    add("generate", "output-read-only", ["generate", "square", "-o", "ro.json"],
        setup=chain(write("ro.json", "{}"), chmod("ro.json", 0o444)), needles=["ro.json"])
    add("generate", "output-read-only-dir", ["generate", "square", "-o", "rodir/out.json"],
        setup=mkdir("rodir", 0o555), nobody=True, needles=["rodir"])
    add("generate", "output-bad-extension", ["generate", "square", "-o", "out.xyz"],
        needles=["out.xyz"])
    add("generate", "output-nul-in-name", ["generate", "square", "-o", "out\x01.json"],
        expect="any")
    add("generate", "ok-control", ["generate", "square", "-o", "out.json"], expect="ok")

    # -- network files, read by solve
    bad_json = {
        "empty": "",
        "not-json": "hello",
        "array": "[1, 2]",
        "nodes-text": '{"nodes": "x", "edges": [[0, 1]]}',
        "nodes-zero": '{"nodes": 0, "edges": []}',
        "nodes-negative": '{"nodes": -3, "edges": [[0, 1]]}',
        "nodes-float": '{"nodes": 2.5, "edges": [[0, 1]]}',
        "nodes-huge": '{"nodes": 2000000000, "edges": [[0, 1]]}',
        "nodes-1e300": '{"nodes": 1e300, "edges": [[0, 1]]}',
        "edges-number": '{"nodes": 3, "edges": 5}',
        "edge-short": '{"nodes": 3, "edges": [[0]]}',
        "edge-text": '{"nodes": 3, "edges": [["a", 1]]}',
        "self-loop": '{"nodes": 3, "edges": [[0, 0]]}',
        "edge-out-of-range": '{"nodes": 3, "edges": [[0, 99]]}',
        "edge-negative": '{"nodes": 3, "edges": [[0, -1]]}',
        "duplicate-edge": '{"nodes": 3, "edges": [[0, 1], [1, 0]]}',
        "conductances-length": '{"nodes": 3, "edges": [[0, 1]], "conductances": [1, 2]}',
        "conductance-negative": '{"nodes": 3, "edges": [[0, 1]], "conductances": [-1]}',
        "conductance-zero": '{"nodes": 3, "edges": [[0, 1]], "conductances": [0]}',
        "conductance-huge": '{"nodes": 3, "edges": [[0, 1]], "conductances": [1e999]}',
        "conductance-text": '{"nodes": 3, "edges": [[0, 1]], "conductances": ["1"]}',
        "unknown-key": '{"nodes": 3, "edges": [[0, 1]], "colour": 1}',
        "format-wrong": '{"format": "other", "nodes": 3, "edges": [[0, 1]]}',
        "version-99": '{"version": 99, "nodes": 3, "edges": [[0, 1]]}',
        "positions-ragged": '{"nodes": [[0, 0], [1]], "edges": [[0, 1]]}',
        "positions-text": '{"nodes": [[0, 0], [1, "x"]], "edges": [[0, 1]]}',
        "box-without-positions": '{"nodes": 3, "edges": [[0, 1]], "box": [1, 1]}',
        "box-negative": '{"nodes": [[0, 0], [1, 1]], "edges": [[0, 1]], "box": [-1, 1]}',
        "repeated-key": '{"nodes": 3, "nodes": 4, "edges": [[0, 1]]}',
        "deep-nesting": "[" * 100000 + "]" * 100000,
    }
    for name, text in bad_json.items():
        add("solve", f"json-{name}", ["solve", "bad.json", "--source", "0=1", "--ground", "1"],
            setup=write("bad.json", text), needles=["bad.json"])
    bad_edges = {
        "text": "a b\n",
        "one-field": "0\n",
        "four-fields": "0 1 1 1\n",
        "negative-k": "0 1 -1\n1 2 1\n",
        "nan-k": "0 1 nan\n1 2 1\n",
        "mixed-k": "0 1 1\n1 2\n",
        "nodes-zero": "# nodes 0\n0 1\n",
        "nodes-huge": "# nodes 2000000000\n0 1\n",
        "nodes-after-edge": "0 1\n# nodes 4\n",
        "index-negative": "0 -1\n",
        "self-loop": "1 1\n",
        "index-huge": "0 99999999999999999999\n",
        "empty": "",
        "binary": "\x00\x01\x02\xff",
    }
    for name, text in bad_edges.items():
        add("solve", f"edges-{name}", ["solve", "bad.txt", "--source", "0=1", "--ground", "1"],
            setup=write("bad.txt", text), needles=["bad.txt"])
    for k in range(4):
        add("solve", f"json-flip-{k}", ["solve", "net.json", "--source", "0=1", "--ground", "1"],
            setup=flip("net.json", k), expect="any", needles=["net.json"])
    for frac in (0.1, 0.5, 0.99):
        add("solve", f"json-truncated-{frac}", ["solve", "net.json", "--source", "0=1",
                                                "--ground", "1"],
            setup=truncate("net.json", frac), needles=["net.json"])
    solve_base = ["solve", "net.json"]
    flags = [
        ("missing-file", ["solve", "nope.json", "--source", "0=1"], ["nope.json"]),
        ("directory", ["solve", "adir", "--source", "0=1"], ["adir"]),
        ("unknown-extension", ["solve", "notes.txt.bak", "--source", "0=1"], ["notes.txt.bak"]),
        ("source-node-range", solve_base + ["--source", "99=1", "--ground", "0"], ["--source"]),
        ("source-text", solve_base + ["--source", "x", "--ground", "0"], ["--source"]),
        ("source-nan", solve_base + ["--source", "1=nan", "--ground", "0"], ["--source"]),
        ("source-inf", solve_base + ["--source", "1=inf", "--ground", "0"], ["--source"]),
        ("source-overflow", solve_base + ["--source", "1=1e308", "--source", "2=-1e308"], []),
        ("source-twice", solve_base + ["--source", "1=1", "--source", "1=2", "--ground", "0"],
         ["1"]),
        ("ground-range", solve_base + ["--source", "1=1", "--ground", "99"], ["--ground"]),
        ("ground-negative", solve_base + ["--source", "1=1", "--ground", "-1"], ["--ground"]),
        ("current-text", solve_base + ["--current", "0=abc", "--ground", "1"], ["--current"]),
        ("current-unbalanced-floating", solve_base + ["--current", "0=1"], []),
        ("no-conditions", solve_base, []),
        ("edge-source-range", solve_base + ["--edge-source", "999=1", "--ground", "0"],
         ["--edge-source"]),
        ("difference-form", solve_base + ["--difference", "0:1", "--ground", "0"],
         ["--difference"]),
        ("difference-same-node", solve_base + ["--difference", "0:0=1", "--ground", "1"],
         ["--difference"]),
        ("edge-drop-range", solve_base + ["--edge-drop", "999=1", "--ground", "0"],
         ["--edge-drop"]),
        ("displacement-resistor", solve_base + ["--displacement", "0=1,1", "--ground", "1"],
         ["--displacement"]),
        ("model-bogus", solve_base + ["--model", "magnetic", "--source", "0=1"], ["--model"]),
        ("model-spring-no-positions", ["solve", "net.txt", "--model", "spring", "--ground", "0"],
         ["net.txt"]),
        ("backend-bogus", solve_base + ["--backend", "magic", "--source", "0=1"], ["--backend"]),
        ("form-bogus", solve_base + ["--form", "twisted", "--source", "0=1"], ["--form"]),
        ("format-bogus", solve_base + ["--format", "xml", "--source", "0=1"], ["--format"]),
        ("output-is-input", solve_base + ["--source", "0=1", "--ground", "1", "-o", "net.json"],
         ["net.json"]),
        ("output-missing-dir", solve_base + ["--source", "0=1", "--ground", "1", "-o",
                                             "nodir/s.json"], ["nodir"]),
        ("output-directory", solve_base + ["--source", "0=1", "--ground", "1", "-o", "adir"],
         ["adir"]),
    ]
    for name, args, needles in flags:
        add("solve", name, args, needles=needles)
    add("solve", "unreadable-network", solve_base + ["--source", "0=1", "--ground", "1"],
        setup=chmod("net.json", 0), nobody=True, needles=["net.json"])
    add("solve", "output-read-only", solve_base + ["--source", "0=1", "--ground", "1", "-o",
                                                  "ro.json"],
        setup=chain(write("ro.json", "{}"), chmod("ro.json", 0o444)), needles=["ro.json"])
    add("solve", "output-read-only-dir", solve_base + ["--source", "0=1", "--ground", "1", "-o",
                                                      "rodir/s.json"],
        setup=mkdir("rodir", 0o555), nobody=True, needles=["rodir"])
    add("solve", "stdout-full", solve_base + ["--source", "0=1", "--ground", "1"],
        stdout="/dev/full", needles=["standard output"])
    add("solve", "ok-control", solve_base + ["--source", "0=1", "--ground", "1"], expect="ok")

    # -- export spice
    exp_base = ["export", "spice", "net.json"]
    for name, args, needles, kw in [
        ("missing-file", ["export", "spice", "nope.json"], ["nope.json"], {}),
        ("no-kind", ["export"], [], {}),
        ("spring", exp_base + ["--model", "spring", "--ground", "0"], ["--model"], {}),
        ("source-range", exp_base + ["--source", "99=1", "--ground", "0"], ["--source"], {}),
        ("source-nan", exp_base + ["--source", "0=nan", "--ground", "1"], ["--source"], {}),
        ("output-is-input", exp_base + ["--source", "0=1", "--ground", "1", "-o", "net.json"],
         ["net.json"], {}),
        ("output-missing-dir", exp_base + ["--source", "0=1", "-o", "nodir/n.cir"], ["nodir"],
         {}),
        ("bad-json", ["export", "spice", "bad.json", "--source", "0=1"], ["bad.json"],
         {"setup": write("bad.json", "{")}),
        ("stdout-full", exp_base + ["--source", "0=1", "--ground", "1"], ["standard output"],
         {"stdout": "/dev/full"}),
    ]:
        add("export", name, args, needles=needles, **kw)
    add("export", "ok-control", exp_base + ["--source", "0=1", "--ground", "1"], expect="ok")

    # -- experiment files: wrong TOML types for every key (train and inspect)
    for section, keys in KEYS.items():
        for key, kind in keys.items():
            for variant, table in (("", WRONG), ("-2", WRONG2)):
                if kind not in table:
                    continue
                text = experiment({(section, key): table[kind]})
                add("train", f"type-{section}.{key}{variant}",
                    ["train", "-q", "bad.toml", "-o", "r.h5"], setup=write("bad.toml", text),
                    needles=["bad.toml", f"{section}.{key}"])
    for section in KEYS:
        text = f"{section} = 5\n" + experiment(drop=[section])
        add("train", f"type-section-{section}", ["train", "-q", "bad.toml", "-o", "r.h5"],
            setup=write("bad.toml", text), needles=["bad.toml", section])
    item_types = {
        "inputs-node": ("inputs", '[{node = "x"}, {node = 2}]', "task.inputs[0].node"),
        "inputs-kind": ("inputs", "[{node = 1, kind = 5}, {node = 2}]", "task.inputs[0].kind"),
        "inputs-entry": ("inputs", "[5, {node = 2}]", "task.inputs[0]"),
        "outputs-node": ("outputs", "[{node = 20}, {node = [25]}]", "task.outputs[1].node"),
        "outputs-nodes": ("outputs", '[{kind = "difference", nodes = 3}, {node = 25}]',
                          "task.outputs[0].nodes"),
        "fixed-value": ("fixed", '[{node = 3, value = "1"}]', "task.fixed[0].value"),
        "ground-entry": ("ground", '[0, "1"]', "task.ground"),
        "bounds-entry": ("bounds", '[1e-6, "x"]', "protocol.bounds"),
    }
    for name, (key, value, needle) in item_types.items():
        section = "protocol" if key == "bounds" else "task"
        add("train", f"type-{name}", ["train", "-q", "bad.toml", "-o", "r.h5"],
            setup=write("bad.toml", experiment({(section, key): value})),
            needles=["bad.toml", needle])

    # -- experiment values: out of range, NaN, infinite, negative, huge
    values = [
        ("learning-rate-nan", "protocol", "learning_rate", "nan"),
        ("learning-rate-inf", "protocol", "learning_rate", "inf"),
        ("learning-rate-negative", "protocol", "learning_rate", "-1"),
        ("steps-negative", "protocol", "steps", "-1"),
        ("steps-float", "protocol", "steps", "1e400"),
        ("batch-zero", "protocol", "batch", "0"),
        ("batch-negative", "protocol", "batch", "-3"),
        ("batch-huge", "protocol", "batch", "1000000000000"),
        ("batch-mode", "protocol", "batch", '"sometimes"'),
        ("learn-bogus", "protocol", "learn", '"voltage"'),
        ("bounds-reversed", "protocol", "bounds", "[1.0, 0.5]"),
        ("bounds-nan", "protocol", "bounds", "[nan, 1.0]"),
        ("bounds-one", "protocol", "bounds", "[1.0]"),
        ("noise-negative", "protocol", "noise_sd", "-1"),
        ("update-fraction-2", "protocol", "update_fraction", "2"),
        ("freeze-probability-2", "protocol", "freeze_probability", "2"),
        ("stop-cost-nan", "protocol", "stop_cost", "nan"),
        ("nudge-negative", "rule", "nudge", "-0.1"),
        ("nudge-nan", "rule", "nudge", "nan"),
        ("nudge-zero", "rule", "nudge", "0"),
        ("rule-bogus", "rule", "kind", '"hebbian"'),
        ("order-zero", "rule", "order", "0"),
        ("nudge-kind-bogus", "rule", "nudge_kind", '"push"'),
        ("loss-bogus", "loss", "kind", '"l7"'),
        ("reduction-bogus", "loss", "reduction", '"median"'),
        ("hinge-without-labels", "loss", "kind", '"hinge"'),
        ("low-negative", "parameters", "low", "-1"),
        ("high-below-low", "parameters", "high", "0.1"),
        ("init-bogus", "parameters", "init", '"zeros"'),
        ("ground-range", "task", "ground", "[999]"),
        ("ground-negative", "task", "ground", "[-1]"),
        ("input-node-range", "task", "inputs", "[{node = 99}, {node = 2}]"),
        ("input-kind-bogus", "task", "inputs", '[{node = 1, kind = "magic"}, {node = 2}]'),
        ("output-node-negative", "task", "outputs", "[{node = -1}, {node = 25}]"),
        ("output-held", "task", "outputs", "[{node = 0}, {node = 25}]"),
        ("output-is-input", "task", "outputs", "[{node = 1}, {node = 25}]"),
        ("input-gain-zero", "task", "input_gain", "0"),
        ("input-gain-inf", "task", "input_gain", "inf"),
        ("edge-inputs-negative", "task", "edge_inputs", "-1"),
        ("edge-inputs-huge", "task", "edge_inputs", "1000000"),
        ("samples-zero", "data", "samples", "0"),
        ("samples-negative", "data", "samples", "-5"),
        ("samples-huge", "data", "samples", "100000000000"),
        ("samples-1e11-float", "data", "samples", "1e11"),
        ("train-fraction-2", "data", "train_fraction", "2"),
        ("train-fraction-nan", "data", "train_fraction", "nan"),
        ("pca-zero", "data", "pca", "0"),
        ("pca-too-many", "data", "pca", "9"),
        ("map-nan", "data", "map", "[[nan, 1.0], [1.0, 1.0]]"),
        ("map-ragged", "data", "map", "[[1.0, 1.0], [1.0]]"),
        ("map-empty", "data", "map", "[]"),
        ("map-name", "data", "map", '"000_eq99"'),
        ("map-shape", "data", "map", "[[1.0, 1.0, 1.0]]"),
        ("data-kind-bogus", "data", "kind", '"mnist"'),
        ("low-above-high", "data", "low", "5"),
        ("encoding-bogus", "data", "encoding", '"gray"'),
        ("every-zero", "logging", "every", "0"),
        ("every-negative", "logging", "every", "-1"),
        ("parameters-every-negative", "logging", "parameters_every", "-1"),
        ("checkpoint-every-negative", "logging", "checkpoint_every", "-1"),
        ("backend-bogus", "solver", "backend", '"magic"'),
        ("model-bogus", "network", "model", '"quantum"'),
        ("generator-bogus", "network", "generator", '"hexagonal"'),
        ("nodes-huge", "network", "nodes", "2000000000"),
        ("nodes-negative", "network", "nodes", "-30"),
        ("degree-nan", "network", "degree", "nan"),
        ("degree-huge", "network", "degree", "1e300"),
        ("unknown-key", "network", "colour", '"red"'),
        ("description-nul", "experiment", "description", '"a\\u0000b"'),
    ]
    for name, section, key, value in values:
        needle = f"{section}.{key}" if section != "network" else "network"
        if name == "steps-float":  # not TOML (out of the double range): the line is named
            needle = "line"
        if name == "map-shape":  # three input columns for two inputs
            needle = "task.inputs"
        add("train", f"value-{name}", ["train", "-q", "bad.toml", "-o", "r.h5"],
            setup=write("bad.toml", experiment({(section, key): value})),
            needles=["bad.toml", needle])
    huge = [
        ("log-rows", {("protocol", "steps"): "1000000000000", ("logging", "every"): "1"},
         "logging.every"),
        ("snapshots", {("protocol", "steps"): "1000000000000",
                       ("logging", "every"): "1000000000",
                       ("logging", "parameters_every"): "1"}, "logging.parameters_every"),
        ("per-class", {("data", "kind"): '"clusters_000"', ("data", "map"): None,
                       ("data", "samples"): None, ("data", "per_class"): "1000000000000"},
         "data.per_class"),
        ("noisy-inputs", {("data", "kind"): '"noisy_linear"', ("data", "map"): None,
                          ("data", "inputs"): "10000000000"}, "data.inputs"),
        ("tasks", {("data", "kind"): '"constraints_003"', ("data", "map"): None,
                   ("data", "samples"): None, ("data", "tasks"): "1000000000",
                   ("task", "inputs"): None, ("task", "outputs"): None}, "data.tasks"),
        ("node-model", {("network", "model"): '"node"', ("network", "generator"): '"complete"',
                        ("network", "nodes"): "60000", ("network", "degree"): None,
                        ("parameters", "init"): None, ("parameters", "low"): None,
                        ("parameters", "high"): None}, "network"),
    ]
    for name, changes, needle in huge:
        add("train", f"huge-{name}", ["train", "-q", "bad.toml", "-o", "r.h5"],
            setup=write("bad.toml", experiment(changes)), needles=["bad.toml", needle])

    # -- experiment files themselves
    for name, setup, needles in [
        ("empty", write("bad.toml", ""), ["bad.toml"]),
        ("malformed", write("bad.toml", "[network\nnodes = "), ["bad.toml"]),
        ("binary", write("bad.toml", b"\x89HDF\r\n\x1a\n\x00\x00\xff", "wb"), ["bad.toml"]),
        ("unknown-section", write("bad.toml", experiment() + "[extra]\na = 1\n"), ["extra"]),
        ("no-network", write("bad.toml", experiment(drop=["network"])), ["network"]),
        ("no-data", write("bad.toml", experiment(drop=["data"])), ["data"]),
        ("duplicate-key", write("bad.toml", experiment() + "[logging]\nevery = 3\n"),
         ["bad.toml"]),
        ("truncated", chain(write("bad.toml", experiment()), truncate("bad.toml", 0.5)),
         ["bad.toml"]),
    ]:
        add("train", f"file-{name}", ["train", "-q", "bad.toml", "-o", "r.h5"], setup=setup,
            needles=needles)
    add("train", "file-missing", ["train", "-q", "nope.toml"], needles=["nope.toml"])
    add("train", "file-directory", ["train", "-q", "adir"], needles=["adir"])
    add("train", "file-unreadable", ["train", "-q", "exp.toml", "-o", "r.h5"],
        setup=chmod("exp.toml", 0), nobody=True, needles=["exp.toml"])
    for k in range(6):
        add("train", f"file-flip-{k}", ["train", "-q", "exp.toml", "-o", "r.h5"],
            setup=flip("exp.toml", 100 + k), expect="any", needles=["exp.toml"])

    # -- files named by the experiment: network, parameters, data
    for name, setup, needles in [
        ("network-missing", lambda d: os.remove(os.path.join(d, "net.json")), ["net.json"]),
        ("network-directory", lambda d: (os.remove(os.path.join(d, "net.json")),
                                         os.makedirs(os.path.join(d, "net.json"))), ["net.json"]),
        ("network-truncated", truncate("net.json", 0.5), ["net.json"]),
        ("network-empty", write("net.json", ""), ["net.json"]),
        ("params-missing", lambda d: os.remove(os.path.join(d, "params.txt")), ["params.txt"]),
        ("params-directory", lambda d: (os.remove(os.path.join(d, "params.txt")),
                                        os.makedirs(os.path.join(d, "params.txt"))),
         ["params.txt"]),
        ("params-short", write("params.txt", "1\n2\n"), ["params.txt"]),
        ("params-text", write("params.txt", "one\n"), ["params.txt"]),
        ("params-nan", write("params.txt", "nan\n" * 59), ["params.txt"]),
        ("params-empty", write("params.txt", ""), ["params.txt"]),
        ("params-negative", replace_in("params.txt", "0.75", "-0.75"), ["params.txt"]),
        ("params-zero", replace_in("params.txt", "0.75", "0"), ["params.txt"]),
        ("params-binary", write("params.txt", b"\xff\xfe\x00", "wb"), ["params.txt"]),
    ]:
        add("train", f"input-{name}", ["train", "-q", "file.toml", "-o", "r.h5"], setup=setup,
            needles=needles)
    add("train", "input-params-unreadable", ["train", "-q", "file.toml", "-o", "r.h5"],
        setup=chmod("params.txt", 0), nobody=True, needles=["params.txt"])
    for name, setup, needles in [
        ("csv-missing", lambda d: os.remove(os.path.join(d, "d.csv")), ["d.csv"]),
        ("csv-directory", lambda d: (os.remove(os.path.join(d, "d.csv")),
                                     os.makedirs(os.path.join(d, "d.csv"))), ["d.csv"]),
        ("csv-empty", write("d.csv", ""), ["d.csv"]),
        ("csv-header-only", write("d.csv", "x1,x2,y1,y2\n"), ["d.csv"]),
        ("csv-bad-cell", write("d.csv", "x1,x2,y1,y2\n1,2,x,4\n"), ["d.csv"]),
        ("csv-nan", write("d.csv", "x1,x2,y1,y2\n1,2,nan,4\n"), ["d.csv"]),
        ("csv-ragged", write("d.csv", "x1,x2,y1,y2\n1,2,3\n"), ["d.csv"]),
        ("csv-no-target-column", write("d.csv", "x1,x2,z1,z2\n1,2,3,4\n1,2,3,4\n"),
         ["d.csv", "y1"]),
        ("csv-quote", write("d.csv", 'x1,x2,y1,y2\n"1,2,3,4\n'), ["d.csv"]),
        ("csv-truncated", truncate("d.csv", 0.03), ["d.csv"]),
        ("csv-binary", write("d.csv", b"\x00\x01\xff,\n", "wb"), ["d.csv"]),
    ]:
        add("train", f"input-{name}", ["train", "-q", "csv.toml", "-o", "r.h5"], setup=setup,
            needles=needles)

    # -- train outputs
    train = ["train", "-q", "exp.toml"]
    for name, args, needles, kw in [
        ("output-is-experiment", train + ["-o", "exp.toml"], ["exp.toml"], {}),
        ("output-is-network", ["train", "-q", "file.toml", "-o", "net.json"], ["net.json"], {}),
        ("output-is-params", ["train", "-q", "file.toml", "-o", "params.txt"], ["params.txt"],
         {}),
        ("output-is-csv", ["train", "-q", "csv.toml", "-o", "d.csv"], ["d.csv"], {}),
        ("summary-is-network", ["train", "-q", "file.toml", "-o", "net.h5"], ["net.json"], {}),
        ("summary-is-notes", train + ["-o", "notes.h5"], ["notes.json"],
         {"setup": write("notes.json", '{"mine": 1}')}),
        ("checkpoint-is-output", train + ["-o", "x.h5", "--checkpoint", "x.h5"],
         ["--checkpoint"], {}),
        ("checkpoint-is-experiment", train + ["-o", "x.h5", "--checkpoint", "exp.toml"],
         ["exp.toml"], {}),
        ("checkpoint-is-notes", train + ["-o", "x.h5", "--checkpoint", "notes.txt"],
         ["notes.txt"], {}),
        ("checkpoint-missing-dir", train + ["-o", "x.h5", "--checkpoint", "nodir/c.ckpt"],
         ["nodir"], {}),
        ("output-missing-dir", train + ["-o", "nodir/run.h5"], ["nodir"], {}),
        ("output-directory", train + ["-o", "adir"], ["adir"], {}),
        ("output-read-only", train + ["-o", "ro.h5"], ["ro.h5"],
         {"setup": chain(write("ro.h5", "x"), chmod("ro.h5", 0o444))}),
        ("output-read-only-dir", train + ["-o", "rodir/run.h5"], ["rodir"],
         {"setup": mkdir("rodir", 0o555), "nobody": True}),
        ("default-output-not-plnet", ["train", "-q", "exp.toml"], ["exp.h5"],
         {"setup": write("exp.h5", "someone else's data")}),
        ("stop-after-negative", train + ["-o", "x.h5", "--stop-after", "-1"], ["--stop-after"],
         {}),
        ("stop-after-text", train + ["-o", "x.h5", "--stop-after", "ten"], ["--stop-after"], {}),
        ("no-experiment", ["train"], ["experiment"], {}),
    ]:
        add("train", name, args, needles=needles, **kw)
    add("train", "ok-control", train + ["-o", "new.h5"], expect="ok")
    add("train", "ok-replaces-own-run", train + ["-o", "run.h5"], expect="ok",
        allowed=["run.h5", "run.json", "run.h5.ckpt"])

    # -- train --resume with damaged checkpoints
    resume = ["train", "-q", "exp.toml", "--resume", "-o", "run.h5", "--checkpoint", "half.ckpt"]
    for name, setup, needles in [
        ("missing", lambda d: os.remove(os.path.join(d, "half.ckpt")), ["half.ckpt"]),
        ("directory", lambda d: (os.remove(os.path.join(d, "half.ckpt")),
                                 os.makedirs(os.path.join(d, "half.ckpt"))), ["half.ckpt"]),
        ("empty", write("half.ckpt", ""), ["half.ckpt"]),
        ("text", write("half.ckpt", "not a checkpoint"), ["half.ckpt"]),
        ("truncated-10", truncate("half.ckpt", 0.1), ["half.ckpt"]),
        ("truncated-60", truncate("half.ckpt", 0.6), ["half.ckpt"]),
        ("truncated-99", truncate("half.ckpt", 0.99), ["half.ckpt"]),
        ("is-run-file", lambda d: shutil.copy(os.path.join(d, "run.h5"),
                                              os.path.join(d, "half.ckpt")), ["half.ckpt"]),
        ("other-experiment", lambda d: shutil.copy(os.path.join(d, "filerun.h5.ckpt"),
                                                   os.path.join(d, "half.ckpt")),
         ["half.ckpt"]),
        # More steps extend the run (allowed); any other edit is refused.
        ("experiment-edited", replace_in("exp.toml", "learning_rate = 0.5",
                                         "learning_rate = 0.4"), ["protocol.learning_rate"]),
        ("experiment-shortened", replace_in("exp.toml", "steps = 60", "steps = 10"),
         ["protocol.steps"]),
    ]:
        add("resume", name, resume, setup=setup, needles=needles)
    add("resume", "unreadable", resume, setup=chmod("half.ckpt", 0), nobody=True,
        needles=["half.ckpt"])
    for k in range(24):
        add("resume", f"flip-{k}", resume, setup=flip("half.ckpt", 200 + k), expect="any",
            needles=["half.ckpt"], allowed=["run.h5", "run.json", "half.ckpt"])
    add("resume", "network-changed",
        ["train", "-q", "file.toml", "--resume", "-o", "filerun.h5"],
        setup=replace_in("params.txt", "0.75", "0.5"), needles=["filerun.h5.ckpt",
                                                                "params.txt"])
    add("resume", "ok-control", resume, expect="ok", allowed=["run.h5", "run.json", "half.ckpt"])

    # -- inspect
    insp = ["inspect", "exp.toml"]
    for name, args, needles, kw in [
        ("parameters-missing", insp + ["--parameters", "nope.txt"], ["nope.txt"], {}),
        ("parameters-directory", insp + ["--parameters", "adir"], ["adir"], {}),
        ("parameters-short", insp + ["--parameters", "p.txt"], ["p.txt"],
         {"setup": write("p.txt", "1 2 3\n")}),
        ("parameters-text", insp + ["--parameters", "p.txt"], ["p.txt"],
         {"setup": write("p.txt", "1 two 3\n")}),
        ("parameters-empty", insp + ["--parameters", "p.txt"], ["p.txt"],
         {"setup": write("p.txt", "")}),
        ("parameters-nan", insp + ["--parameters", "p.txt"], ["p.txt"],
         {"setup": write("p.txt", "nan " * 59)}),
        ("parameters-negative", insp + ["--parameters", "p.txt"], ["p.txt"],
         {"setup": write("p.txt", "-1 " * 59)}),
        ("parameters-h5-truncated", insp + ["--parameters", "run.h5"], ["run.h5"],
         {"setup": truncate("run.h5", 0.5)}),
        ("parameters-checkpoint", insp + ["--parameters", "half.ckpt"], ["half.ckpt"], {}),
        ("parameters-h5-text", insp + ["--parameters", "fake.h5"], ["fake.h5"],
         {"setup": write("fake.h5", "text")}),
        ("parameters-other-run", insp + ["--parameters", "filerun.h5"], ["filerun.h5"],
         {"expect": "any"}),  # the same number of parameters: a legitimate use
        ("parameters-unreadable", insp + ["--parameters", "params.txt"], ["params.txt"],
         {"setup": chmod("params.txt", 0), "nobody": True}),
        ("samples-range", insp + ["--samples", "99"], ["--samples"], {}),
        ("samples-negative", insp + ["--samples", "-1"], ["--samples"], {}),
        ("samples-text", insp + ["--samples", "a,b"], ["--samples"], {}),
        ("samples-empty-entry", insp + ["--samples", "1,,2"], ["--samples"], {}),
        ("output-is-experiment", insp + ["-o", "exp.toml"], ["exp.toml"], {}),
        ("output-is-parameters", insp + ["--parameters", "params.txt", "-o", "params.txt"],
         ["params.txt"], {}),
        ("output-missing-dir", insp + ["-o", "nodir/i.json"], ["nodir"], {}),
        ("stdout-full", insp, ["standard output"], {"stdout": "/dev/full"}),
        ("experiment-missing", ["inspect", "nope.toml"], ["nope.toml"], {}),
        ("experiment-bad", ["inspect", "bad.toml"], ["bad.toml", "data.samples"],
         {"setup": write("bad.toml", experiment({("data", "samples"): '"many"'}))}),
    ]:
        add("inspect", name, args, needles=needles, **kw)
    for k in range(6):
        add("inspect", f"parameters-flip-{k}", insp + ["--parameters", "run.h5"],
            setup=flip("run.h5", 300 + k), expect="any", needles=["run.h5"])
    add("inspect", "ok-control", insp + ["--parameters", "run.h5"], expect="ok")

    # -- analyze
    ana = ["analyze", "run.h5", "--what", "cost-hessian"]
    for name, args, needles, kw in [
        ("missing", ["analyze", "nope.h5", "--what", "cost-hessian"], ["nope.h5"], {}),
        ("directory", ["analyze", "adir", "--what", "cost-hessian"], ["adir"], {}),
        ("extension", ["analyze", "notes.txt", "--what", "cost-hessian"], ["notes.txt"], {}),
        ("text-as-h5", ["analyze", "fake.h5", "--what", "cost-hessian"], ["fake.h5"],
         {"setup": write("fake.h5", "text")}),
        ("empty-h5", ["analyze", "fake.h5", "--what", "cost-hessian"], ["fake.h5"],
         {"setup": write("fake.h5", "")}),
        ("truncated-10", ana, ["run.h5"], {"setup": truncate("run.h5", 0.1)}),
        ("truncated-60", ana, ["run.h5"], {"setup": truncate("run.h5", 0.6)}),
        ("truncated-99", ana, ["run.h5"], {"setup": truncate("run.h5", 0.99)}),
        ("checkpoint", ["analyze", "half.ckpt", "--what", "cost-hessian"], ["half.ckpt"], {}),
        ("checkpoint-h5", ["analyze", "c.h5", "--what", "cost-hessian"], ["c.h5"],
         {"setup": lambda d: shutil.copy(os.path.join(d, "half.ckpt"), os.path.join(d, "c.h5"))}),
        ("analysis-as-run", ["analyze", "a.h5", "--what", "cost-hessian"], ["a.h5"],
         {"setup": lambda d: subprocess.run(
             [PLNET, "analyze", "run.h5", "--what", "cost-hessian", "-o", "a.h5"], cwd=d,
             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)}),
        ("unreadable", ana, ["run.h5"], {"setup": chmod("run.h5", 0), "nobody": True}),
        ("network-changed", ["analyze", "filerun.h5", "--what", "cost-hessian"],
         ["filerun.h5", "params.txt"], {"setup": replace_in("params.txt", "0.75", "0.5")}),
        ("what-bogus", ["analyze", "run.h5", "--what", "magic"], ["--what", "magic"], {}),
        ("what-empty", ["analyze", "run.h5", "--what", ""], ["--what"], {}),
        ("what-commas", ["analyze", "run.h5", "--what", ",,"], ["--what"], {}),
        ("no-what", ["analyze", "run.h5"], ["--what"], {}),
        ("no-input", ["analyze", "--what", "cost-hessian"], [], {}),
        ("snapshot-range", ana + ["--snapshot", "99"], ["--snapshot"], {}),
        ("snapshot-negative", ana + ["--snapshot", "-1"], ["--snapshot"], {}),
        ("snapshot-experiment", ["analyze", "exp.toml", "--what", "cost-hessian",
                                 "--snapshot", "0"], ["--snapshot"], {}),
        ("modes-negative", ana + ["--modes", "-1"], ["--modes"], {}),
        ("modes-huge", ana + ["--modes", "1000000000000"], ["--modes"], {"expect": "any"}),
        ("forces-zero", ["analyze", "run.h5", "--what", "effective", "--forces", "0"],
         ["--forces"], {}),
        ("forces-huge", ["analyze", "run.h5", "--what", "effective", "--forces",
                         "1000000000000"], ["--forces"], {}),
        ("grid-even", ["analyze", "run.h5", "--what", "landscape", "--grid", "4"], ["--grid"],
         {}),
        ("grid-huge", ["analyze", "run.h5", "--what", "landscape", "--grid", "1000000001"],
         ["--grid"], {}),
        ("extent-nan", ["analyze", "run.h5", "--what", "landscape", "--extent", "nan"],
         ["--extent"], {}),
        ("sector-threshold-2", ana + ["--sector-threshold", "2"], ["--sector-threshold"], {}),
        ("neighbours-zero", ana + ["--neighbours", "0"], ["--neighbours"], {}),
        ("probe-noise-nan", ana + ["--probe-noise", "nan"], ["--probe-noise"], {}),
        ("probes-huge", ["analyze", "run.h5", "--what", "measured-susceptibility", "--probes",
                         "1000000000000"], ["--probes"], {}),
        ("sketch-probes-zero", ana + ["--sketch-probes", "0"], ["--sketch-probes"], {}),
        ("sketch-probes-huge", ["analyze", "run.h5", "--what", "susceptibility-sketch",
                                "--sketch-probes", "1000000000000"], ["--sketch-probes"], {}),
        ("format-bogus", ana + ["--format", "xml"], ["--format"], {}),
        ("output-is-input", ana + ["-o", "run.h5"], ["run.h5"], {}),
        ("output-is-experiment", ["analyze", "exp.toml", "--what", "cost-hessian", "-o",
                                  "exp.toml"], ["exp.toml"], {}),
        ("output-is-network", ["analyze", "filerun.h5", "--what", "cost-hessian", "-o",
                               "net.json"], ["net.json"], {}),
        ("output-missing-dir", ana + ["-o", "nodir/a.h5"], ["nodir"], {}),
        ("output-directory", ana + ["-o", "adir"], ["adir"], {}),
        ("output-read-only", ana + ["-o", "ro.h5"], ["ro.h5"],
         {"setup": chain(write("ro.h5", "x"), chmod("ro.h5", 0o444))}),
        ("default-output-not-plnet", ana, ["run.analysis.h5"],
         {"setup": write("run.analysis.h5", "someone else's")}),
        ("stdout-full", ana + ["--format", "json", "-o", "a.h5"], ["standard output"],
         {"stdout": "/dev/full"}),
    ]:
        add("analyze", name, args, needles=needles, **kw)
    for k in range(14):
        add("analyze", f"flip-{k}", ana + ["-o", "a.h5"], setup=flip("run.h5", 400 + k),
            expect="any", needles=["run.h5"])
    add("analyze", "ok-control", ana + ["-o", "a.h5"], expect="ok")

    # -- reproduce (only what is refused before any work)
    for name, args, needles, kw in [
        ("unknown-id", ["reproduce", "R99"], ["R99"], {}),
        ("no-id", ["reproduce"], [], {}),
        ("config-missing", ["reproduce", "R8", "--config", "nope.toml"], ["nope.toml"], {}),
        ("config-directory", ["reproduce", "R8", "--config", "adir"], ["adir"], {}),
        ("config-malformed", ["reproduce", "R8", "--config", "bad.toml", "-o", "out"],
         ["bad.toml"], {"setup": write("bad.toml", "[protocol\n")}),
        ("config-wrong-type", ["reproduce", "R8", "--config", "bad.toml", "-o", "out"],
         ["bad.toml", "protocol.steps"],
         {"setup": write("bad.toml", experiment({("protocol", "steps"): '"x"'}))}),
        ("set-syntax", ["reproduce", "R8", "--set", "protocol.steps", "-o", "out"], ["--set"],
         {}),
        ("set-unknown-key", ["reproduce", "R8", "--set", "protocol.stepz=3", "-o", "out"],
         ["stepz"], {}),
        ("set-negative-steps", ["reproduce", "R8", "--set", "protocol.steps=-1", "-o", "out"],
         ["protocol.steps"], {}),
        ("set-wrong-type", ["reproduce", "R8", "--set", "protocol.steps=\"x\"", "-o", "out"],
         ["protocol.steps"], {}),
        ("set-bad-toml", ["reproduce", "R8", "--set", "protocol.steps=[", "-o", "out"],
         ["--set"], {}),
        ("threads-negative", ["reproduce", "R8", "--threads", "-1", "-o", "out"],
         ["--threads"], {}),
        ("output-is-file", ["reproduce", "R8", "-o", "notes.txt"], ["notes.txt"], {}),
        ("seed-text", ["reproduce", "R8", "--seed", "abc"], ["--seed"], {}),
    ]:
        add("reproduce", name, args, needles=needles, **kw)
    return cases


PLNET = None


def main():
    global PLNET
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("plnet", nargs="?", default="build/bin/plnet")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per case")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", help="keep the case directories here")
    parser.add_argument("--only", help="run only cases whose group-name contains this")
    options = parser.parse_args()
    PLNET = os.path.abspath(options.plnet)
    if not os.access(PLNET, os.X_OK):
        sys.exit(f"bad_input_survey: no plnet executable at {PLNET}")
    work = options.keep or tempfile.mkdtemp(prefix="plnet_survey_")
    os.makedirs(work, exist_ok=True)
    os.chmod(work, 0o755)
    fixtures = os.path.join(work, "fixtures")
    shutil.rmtree(fixtures, ignore_errors=True)
    os.makedirs(fixtures)
    make_fixtures(PLNET, fixtures)
    cases = corpus()
    if options.only:
        cases = [c for c in cases if options.only in f"{c.group}-{c.name}"]
    names = [f"{c.group}-{c.name}" for c in cases]
    assert len(names) == len(set(names)), "duplicate case names"
    can_drop = os.geteuid() != 0 or shutil.which("setpriv") is not None
    skipped = [c for c in cases if c.nobody and not can_drop]
    cases = [c for c in cases if c not in skipped]
    start = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(options.jobs) as pool:
        outcomes = list(pool.map(
            lambda c: run_case(c, PLNET, fixtures, work, options.timeout), cases))
    seconds = time.monotonic() - start

    kinds = ["crash", "hang", "accepted", "clobbered", "control", "message"]
    counts = {k: sum(o["kind"] == k for o in outcomes) for k in kinds}
    groups = sorted({c.group for c in cases})
    print(f"plnet bad-input survey: {len(cases)} cases ({len(skipped)} skipped) in "
          f"{seconds:.0f} s, {PLNET}")
    header = f"{'group':<10}{'cases':>7}" + "".join(f"{k:>11}" for k in kinds)
    print(header)
    for g in groups + ["total"]:
        mine = [o for o in outcomes if g == "total" or o["case"].group == g]
        print(f"{g:<10}{len(mine):>7}" +
              "".join(f"{sum(o['kind'] == k for o in mine):>11}" for k in kinds))
    failures = [o for o in outcomes if o["kind"] != "ok"]
    for o in failures:
        c = o["case"]
        print(f"  {o['kind']:<10} {c.group}-{c.name}: plnet {' '.join(c.args)}\n"
              f"             {o['detail']}")
    if not options.keep:
        for root, dirs, _ in os.walk(work):
            for d in dirs:
                os.chmod(os.path.join(root, d), 0o755)
        shutil.rmtree(work, ignore_errors=True)
    serious = sum(counts[k] for k in ("crash", "hang", "accepted", "clobbered", "control"))
    return 1 if serious else 0


if __name__ == "__main__":
    sys.exit(main())
