"""The largest run each headless command allows: its time and peak memory (issue 12).

Each command runs in a child process with its output thrown away; the child's own rusage (os.wait4) gives
its peak RSS. The baseline, measured in the same run, is a Python that imports numpy and does nothing else.
The limits must be honourable on a 2-core laptop with 4 GB: every run below fits in well under 1 GB.

    python benchmarks/bench_limits.py [--quick]   # --quick: skip the runs over ten seconds
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

LARGEST = [
    ("curve, 10^7 epochs, csv", ["curve", "cosine", "--epochs", "10000000", "--format", "csv"], True),
    ("curve, 10^7 epochs, table", ["curve", "cosine", "--epochs", "10000000"], True),
    ("curve, 10^7 epochs, json", ["curve", "cosine", "--epochs", "10000000", "--format", "json"], True),
    ("simulate quadratic, 10^6 epochs, csv", ["simulate", "--epochs", "1000000", "--format", "csv"], False),
    ("simulate ravine, 10^6 epochs, json", ["simulate", "--problem", "ravine", "--epochs", "1000000",
                                            "--format", "json"], False),
    ("simulate quadratic, 10^6 epochs x 8 steps", ["simulate", "--epochs", "1000000", "--steps-per-epoch", "8",
                                                   "--format", "csv"], True),
    ("simulate mlp, 130,000 epochs (the budget)", ["simulate", "--problem", "mlp", "--epochs", "130000",
                                                   "--format", "csv"], True),
    ("simulate mlp, n=10^4 hidden=256, 20 epochs", ["simulate", "--problem", "mlp", "problem.n=10000",
                                                    "problem.hidden=256", "--epochs", "20"], False),
    ("range-test, 10^4 steps", ["range-test", "--steps", "10000"], False),
    ("list", ["list"], False),
    ("presets", ["presets"], False),
    ("code", ["code", "cosine"], False),
]


def measure(argv: list[str]) -> tuple[float, float, int]:
    """(seconds, peak RSS in MB, exit status) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - start, usage.ru_maxrss / 1024, proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the runs that take over ten seconds")
    args = parser.parse_args()
    base_s, base_mb, _ = measure([sys.executable, "-c", "import numpy"])
    print(f"baseline (python -c 'import numpy'): {base_s:.2f} s, {base_mb:.0f} MB peak RSS")
    print(f"{'largest allowed run':<46} {'time':>8} {'x base':>7} {'peak MB':>8} {'x base':>7}  status")
    for name, command, slow in LARGEST:
        if slow and args.quick:
            continue
        seconds, mb, status = measure([sys.executable, "-m", "lrtui", *command])
        print(f"{name:<46} {seconds:7.2f}s {seconds / base_s:7.1f} {mb:8.0f} {mb / base_mb:7.1f}  {status}")


if __name__ == "__main__":
    main()
