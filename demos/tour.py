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
import lesson8_digits

LESSONS = [
    ("lesson 1: derivatives and autograd", "lesson1_autograd", lesson1_autograd),
    ("lesson 3: linear regression", "lesson3_linear_regression", lesson3_linear_regression),
    ("lesson 7: classification with MLPs", "lesson7_classification", lesson7_classification),
    ("lesson 8: handwritten digits", "lesson8_digits", lesson8_digits),
]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("out") / "tour")
    parser.add_argument("--budget", choices=["small", "full"], default="small")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    results, times = {}, {}
    for title, name, lesson in LESSONS:
        print(f"\n{'=' * 70}\n{title}\n{'=' * 70}")
        start = time.perf_counter()
        lesson_argv = ["--out", str(args.out / name), "--budget", args.budget]
        if args.no_progress:
            lesson_argv.append("--no-progress")
        results[name] = lesson.main(lesson_argv)
        times[name] = time.perf_counter() - start
    print(f"\n{'=' * 70}\nthe tour is over")
    for _, name, _ in LESSONS:
        pngs = sorted((args.out / name).glob("*.png"))
        print(f"  {name} ({times[name]:.1f} s): {len(pngs)} figures in {args.out / name}/")
    digits = results["lesson8_digits"]["test accuracy"]
    print(f"digits test accuracy with the small budget: {digits:.1%} "
          "(python demos/lesson8_digits.py trains longer)")
    print("all lessons: python demos/lesson<N>_*.py --help (0 tensors, 1 autograd, "
          "2 logistic regression on "
          "images, 3 linear regression, 4 multiple regression, 5 logistic regression, "
          "6 non-linear regression, 7 classification, 8 digits)")
    return results


if __name__ == "__main__":
    main()
