"""The main demo (`make demo`): a short tour of the course with small budgets.

Lesson 1 (autograd), lesson 3 (linear regression), lesson 7 (classification with MLPs) and
lesson 8 (handwritten digits). Figures go to out/tour/<lesson>/.

    python demos/tour.py [--out out/tour] [--budget small|full]
"""

import argparse
import time
from pathlib import Path

import _common  # noqa: F401  (puts demos/ on sys.path)
import lesson1_autograd
import lesson3_linear_regression
import lesson7_classification

LESSONS = [
    ("lesson 1: derivatives and autograd", "lesson1_autograd", lesson1_autograd),
    ("lesson 3: linear regression", "lesson3_linear_regression", lesson3_linear_regression),
    ("lesson 7: classification with MLPs", "lesson7_classification", lesson7_classification),
]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("out") / "tour")
    parser.add_argument("--budget", choices=["small", "full"], default="small")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    results, times = {}, {}
    # until the matrix engine lands, the tour runs the scalar-engine parts of each lesson
    small = args.budget == "small"
    parts = {
        "lesson1_autograd": lambda out: {**lesson1_autograd.scalar_engine(out),
                                         **lesson1_autograd.tangent(out)},
        "lesson3_linear_regression": lambda out: {**lesson3_linear_regression.by_hand(),
                                                  **lesson3_linear_regression.one_parameter_fit(out)},
        "lesson7_classification": lambda out: lesson7_classification.moons_scalar(
            out, steps=200, seed=0),
    }
    _common.parse_args("tour", __doc__, ["--out", str(args.out)]
                       + (["--no-progress"] if args.no_progress else []))
    for title, name, lesson in LESSONS:
        print(f"\n{'=' * 70}\n{title}\n{'=' * 70}")
        start = time.perf_counter()
        (args.out / name).mkdir(parents=True, exist_ok=True)
        results[name] = _common.summary(title, parts[name](args.out / name))
        times[name] = time.perf_counter() - start
    print(f"\n{'=' * 70}\nthe tour is over")
    for _, name, _ in LESSONS:
        pngs = sorted((args.out / name).glob("*.png"))
        print(f"  {name} ({times[name]:.1f} s): {len(pngs)} figures in {args.out / name}/")
    print("the other lessons: python demos/lesson<N>_*.py --help")
    return results


if __name__ == "__main__":
    main()
