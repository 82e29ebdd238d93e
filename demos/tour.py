"""The main demo (`make demo`): a short tour of scalargrad. Lessons are added as they land."""

import runpy
from pathlib import Path

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    runpy.run_path(str(HERE / "moons_scalar.py"), run_name="__main__")
