"""Every lesson notebook of the built site runs top to bottom ("Run all"), as a student runs it.

sphinx-gallery makes ``docs/auto_demos/<lesson>.ipynb`` from ``demos/<lesson>.py`` during
``make docs``. Each notebook runs here in a fresh Jupyter kernel (nbclient + ipykernel) in a
folder holding a copy of the ``demos/`` scripts, as its first cell tells the student, with
``SCALARGRAD_BUDGET=small``. It must run without an error, print the lesson's summary and show
every figure the lesson saved inline, with no warning on the way. Run by ``make docs-check``
after the build.
"""

import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
GALLERY = ROOT / "docs" / "auto_demos"
DEMOS = ROOT / "demos"
LESSONS = sorted(p.stem for p in DEMOS.glob("*.py") if p.stem.startswith(("lesson", "moons")))


def test_every_lesson_has_a_notebook():
    assert LESSONS, "no lessons found in demos/"
    missing = [name for name in LESSONS if not (GALLERY / f"{name}.ipynb").is_file()]
    assert not missing, f"no notebook for {missing} in {GALLERY}: run make docs"


def text_of(outputs, stream="stdout"):
    """What the cells wrote to ``stream`` (and, for stdout, the text of displayed values)."""
    parts = []
    for out in outputs:
        if out["output_type"] == "stream":
            if out["name"] == stream:
                parts.append(out["text"])
        elif stream == "stdout" and "text/plain" in out.get("data", {}):
            parts.append(out["data"]["text/plain"])
    return "".join(parts)


@pytest.mark.parametrize("name", LESSONS)
def test_notebook_runs(name, tmp_path, monkeypatch):
    notebook = GALLERY / f"{name}.ipynb"
    assert notebook.is_file(), f"{notebook} was not built: run make docs"
    for script in DEMOS.glob("*.py"):  # the student's demos/ folder
        shutil.copy(script, tmp_path)
    monkeypatch.setenv("SCALARGRAD_BUDGET", "small")
    nb = nbformat.read(notebook, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()

    outputs = [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs]
    printed = text_of(outputs)
    assert "--- summary:" in printed, f"{name} printed no summary:\n{printed[-2000:]}"
    warned = [line for line in text_of(outputs, "stderr").splitlines() if "Warning" in line]
    assert not warned, f"{name} warned in the notebook: {warned}"
    saved = [line for line in printed.splitlines() if line.startswith("  figure: ")]
    shown = [out for out in outputs if "image/png" in out.get("data", {})]
    assert saved, f"{name} saved no figure"
    assert len(shown) == len(saved), f"{name} saved {len(saved)} figures, showed {len(shown)}"
    written = list((tmp_path / "out" / name).glob("*.png"))
    assert len(written) == len({line.split("/")[-1] for line in saved})
