"""``python -m bench.hosts``: the several-hosts drill (``--help``)."""

import sys

from bench.hosts.drill import main

sys.exit(main(sys.argv[1:]))
