"""The heaviest session a student can make, against the same app at its first screen, measured in this run:
what lrtui serve's SESSION_MIB (the memory --max-sessions counts per session) rests on.

    python benchmarks/bench_session_peak.py [--app-root DIR]

In a pty at 160x50 (a large browser window): a noisy quadratic of 100,000 epochs (the app's longest) over 256
seeds (the most allowed), six pinned runs of it (the most pins) at other learning rates, another seed (all
seven runs simulated again), the scoreboard, the run exported to CSV (streamed), the range test; then the
process's peak RSS (VmHWM) against the peak of the same app left at its first screen. Prints both, their ratio
and what SESSION_MIB assumes. 2026-12-06: 90 MiB and 247 MiB (2.74x); 257 MiB before large runs went a few at a
time (``--app-root`` an older checkout measures it).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_app  # noqa: E402 - the pty helpers, shared
from bench_app import _drain, _finish, _read_until, _spawn  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TAB, ESCAPE, DOWN = b"\t", b"\x1b", b"\x1b[B"
SEED_BELOW_LR = 12  # rows from the lr field down to the seed field (cosine on the quadratic)
RUN = ["--problem", "quadratic", "problem.noise=0.5", "--schedule", "cosine", "lr=0.05", "--epochs", "100000"]


def peak_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024


def settle(fd: int, seconds: float = 1.5) -> None:
    """Read until the screen has been quiet for ``seconds`` (a long run's progress keeps it busy)."""
    _drain(fd, seconds)


def session(argv: list[str], heavy: bool, cwd: str) -> float:
    os.chdir(cwd)
    pid, fd = _spawn(argv)
    _read_until(fd, b"lr: cosine", 60)
    settle(fd, 3.0)
    if heavy:
        os.write(fd, TAB)  # the lr field
        settle(fd, 0.5)
        for _ in range(6):
            os.write(fd, b"+")  # another lr, simulated over its 256 seeds
            settle(fd)
            os.write(fd, ESCAPE)  # to the plots (alone: escape and a letter at once are alt+letter)
            settle(fd, 0.5)
            os.write(fd, b"p")  # pin it
            settle(fd)
            os.write(fd, TAB)  # back to the form (the lr field)
            settle(fd, 0.5)
        for _ in range(SEED_BELOW_LR):
            os.write(fd, DOWN)
            settle(fd, 0.2)
        os.write(fd, b"+")  # another seed: the run and its six pinned runs simulate again, together
        settle(fd, 3.0)
        os.write(fd, ESCAPE)
        settle(fd, 0.5)
        os.write(fd, b"b")  # the scoreboard
        settle(fd)
        os.write(fd, b"e")  # export the run (CSV)
        settle(fd, 3.0)
        os.write(fd, b"r")  # the range test
        settle(fd, 3.0)
    time.sleep(0.5)
    peak = peak_mib(pid)
    _finish(pid, fd)
    return peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app-root", type=Path, default=ROOT, help="the checkout whose lrtui runs")
    args = parser.parse_args()
    bench_app.COLS, bench_app.ROWS = 160, 50
    argv = [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(args.app_root)!r}); "
            "from lrtui.cli import main; sys.exit(main())", *RUN]
    with tempfile.TemporaryDirectory() as folder:
        first = session(argv, heavy=False, cwd=folder)
        heavy = session([*argv, "--seeds", "256"], heavy=True, cwd=folder)
        exported = sum(f.stat().st_size for f in Path(folder).iterdir()) / 2**20
    from lrtui.serve.settings import SESSION_MIB

    print(f"peak RSS: the first screen {first:.0f} MiB; the heaviest session {heavy:.0f} MiB "
          f"({heavy / first:.2f}x; exported {exported:.0f} MiB); SESSION_MIB assumes {SESSION_MIB} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
