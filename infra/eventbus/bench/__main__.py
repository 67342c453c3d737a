"""``python -m eventbus.bench`` (scripts/benchmark.sh)."""
import sys

from eventbus.bench import main

sys.exit(main())
