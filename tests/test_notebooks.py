"""The notebooks in notebooks/ run top to bottom in a real kernel, and are committed without outputs.

Each notebook is executed as a user would run it (kernel ``python3``, started in ``notebooks/``),
into memory: the files on disk are not touched. Notebooks 2 and 3 read the team's shared corpus
when ``../shared/corpus`` is present and the 40 articles of ``data/sample/`` otherwise; when the
shared corpus is present, notebook 2 is run a second time on the sample (``FRAMING_NOTEBOOK_SAMPLE=1``),
so the path a fresh machine takes is checked too (notebook 3's sample branch is the same cell).
The whole module takes about 100 s on a 2-core machine, most of it loading the bundled classifier.
"""
from __future__ import annotations

import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
NAMES = ["01_quickstart", "02_corpus_exploration", "03_lexicon_workbench", "04_validation"]
SAMPLE_SWITCH = ("02_corpus_exploration", "03_lexicon_workbench")   # the notebooks with a shared/sample cell
SAMPLE_RERUN = ("02_corpus_exploration",)
HAS_SHARED = (ROOT.parent / "shared" / "corpus").is_dir()
TIMEOUT = 240  # seconds per cell


def execute(name: str) -> nbformat.NotebookNode:
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    NotebookClient(nb, timeout=TIMEOUT, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    return nb


def errors(nb: nbformat.NotebookNode) -> list[str]:
    return [f"{o.get('ename')}: {o.get('evalue')}" for c in nb.cells if c.cell_type == "code"
            for o in c.get("outputs", []) if o.get("output_type") == "error"]


def test_the_four_notebooks_are_there():
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_committed_without_outputs(name):
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, f"{name} has no code"
    assert all(not c.outputs and c.execution_count is None for c in code), \
        f"{name}.ipynb has outputs or execution counts: strip them before committing"
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"


RUNS = [(name, False) for name in NAMES] + [(name, True) for name in SAMPLE_RERUN if HAS_SHARED]


@pytest.mark.parametrize("name,sample", RUNS, ids=[f"{n}{'-sample' if s else ''}" for n, s in RUNS])
def test_notebook_runs_top_to_bottom(name, sample, monkeypatch):
    if sample:
        monkeypatch.setenv("FRAMING_NOTEBOOK_SAMPLE", "1")  # the kernel inherits the environment
    else:
        monkeypatch.delenv("FRAMING_NOTEBOOK_SAMPLE", raising=False)
    start = time.perf_counter()
    nb = execute(name)  # raises CellExecutionError, with the cell and the traceback, on the first failing cell
    elapsed = time.perf_counter() - start
    assert not errors(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), f"{name}: not every cell ran"
    # every notebook shows something: tables (HTML) and, except the workbench, figures (PNG)
    kinds = {k for c in code for o in c.outputs for k in o.get("data", {})}
    assert "text/html" in kinds
    if name != "03_lexicon_workbench":
        assert "image/png" in kinds, f"{name}: no figure was displayed"
    if name in SAMPLE_SWITCH:
        said = "".join(o.get("text", "") for c in code for o in c.outputs if o.get("output_type") == "stream")
        expected = "shared corpus" if HAS_SHARED and not sample else "data/sample/"
        assert expected in said
    assert elapsed < 90, f"{name} took {elapsed:.0f} s"
