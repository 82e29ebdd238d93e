"""Benchmarks: the engines side by side, as ratios against a reference measured in the same run.

    python demos/benchmark.py            # every section this machine can run
    python demos/benchmark.py scalar     # Value engine vs micrograd
    python demos/benchmark.py tensor     # CPU kernels vs NumPy (BLAS) and PyTorch CPU, each
                                         # library in its own process (--seconds S per process)
    python demos/benchmark.py cuda       # CUDA kernels vs cuBLAS / PyTorch CUDA (GPU only)

Each section lives in demos/bench/<name>.py and prints its own table; the speed ratios of the
run are also drawn as a bar chart (out/benchmark/benchmark.png, `--out` to change). Reference
libraries (micrograd, torch) are installed only for the benchmark: `make bench` installs them.
Timings on a shared machine are noisy: read the ratios, not the seconds.
"""

import argparse
import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench.chart import save_chart  # noqa: E402  (after the path set-up above)

SECTIONS = ["scalar", "tensor", "cuda"]


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("sections", nargs="*", choices=SECTIONS + [[]], default=[])
    parser.add_argument(
        "--quick", action="store_true", help="small sizes, few repeats (smoke test)"
    )
    parser.add_argument("--out", default="out/benchmark", help="folder for the bar chart")
    parser.add_argument(
        "--seconds", type=float, default=None, help="tensor: timed seconds per process (10)"
    )
    args = parser.parse_args(argv)
    results = {}
    for name in args.sections or SECTIONS:
        module = importlib.import_module(f"bench.{name}")
        extra = {"seconds": args.seconds} if name == "tensor" else {}
        results[name] = module.run(quick=args.quick, **extra)
    chart = save_chart(results, args.out)
    print(f"\nbar chart of the speed ratios: {chart}" if chart else "\n(no ratios to chart)")
    return results


if __name__ == "__main__":
    main()
