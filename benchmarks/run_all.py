"""Run every benchmark script in this folder, one after another (``make bench``).

Each ``bench_*.py`` prints its own table with ratios against a floor measured
in the same run. Extra arguments (e.g. ``--peers``) are passed to each script.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).resolve().parent
    status = 0
    for script in sorted(here.glob("bench_*.py")):
        print(f"\n=== {script.name} ===", flush=True)
        status |= subprocess.call([sys.executable, str(script), *argv])
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
