"""R2 (000 Fig. 5a-d): the R1 panels for the five-target regression of eq. (22).

Usage: /usr/bin/python3 scripts/figures/R2.py <output dir of `plnet reproduce R2`>"""

import sys

from R1 import regression_figure

regression_figure(sys.argv[1], "R2")
