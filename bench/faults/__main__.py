import sys

from bench.faults.drill import main

sys.exit(main(sys.argv[1:]))
