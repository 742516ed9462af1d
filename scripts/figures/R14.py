"""R14 (003 App. E, Fig. 9): the R10 figure for R14's parts (clean, noisy, sgd_desync): the
error of realisation 0, and the lowest eigenvalue, g_bar and D_eff before and after training.

Usage: /usr/bin/python3 scripts/figures/R14.py <output dir of `plnet reproduce R14`>"""

import os
import runpy
import sys

sys.argv = [sys.argv[0], sys.argv[1], "R14"]
runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), "R10.py"),
               run_name="__main__")
