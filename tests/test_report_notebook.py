"""Jupyter: Analysis, Estimate, Refutation, sensitivity results and figures display as rich HTML/SVG (a notebook run with nbclient)."""

from __future__ import annotations

import pytest

nbformat = pytest.importorskip("nbformat", reason="nbformat is a dev dependency (pip install -e '.[dev]')")
nbclient = pytest.importorskip("nbclient", reason="nbclient is a dev dependency (pip install -e '.[dev]')")
pytest.importorskip("ipykernel", reason="ipykernel is a dev dependency (pip install -e '.[dev]')")

pytestmark = pytest.mark.slow  # starts a kernel

CELLS = [
    """
import numpy as np, pandas as pd
from dagcore import analyze, parse
rng = np.random.default_rng(0); z = rng.normal(size=300)
x = (z + rng.normal(size=300) > 0).astype(float)
df = pd.DataFrame({"z": z, "x": x, "y": 2 * x + z + rng.normal(size=300)})
a = analyze(parse("z -> x; z -> y; x -> y; x [exposure]; y [outcome]"), df, estimators=["regression", "ipw"],
            refuters=["placebo_treatment"], n_simulations=5, local_tests=False)
""",
    "a",
    "a.estimate",
    "a.refutations[0]",
    "a.e_value",
    "a.ovb",
    "a.figures['sensitivity']",
]


def test_a_notebook_shows_every_result_as_rich_html_or_svg() -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(src) for src in CELLS])
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3").execute()
    shown = [cell.outputs for cell in nb.cells[1:]]
    for src, outputs in zip(CELLS[1:], shown):
        data = next(o["data"] for o in outputs if o["output_type"] == "execute_result")
        assert "text/html" in data or "image/svg+xml" in data, (src, list(data))
    report = shown[0][0]["data"]["text/html"]
    assert report.count("<svg") >= 5 and 'class="dagcore-report"' in report
    assert "<table class='dagcore-estimate'>" in shown[1][0]["data"]["text/html"]
    assert "PASS" in shown[2][0]["data"]["text/html"]
    assert "E-value" in shown[3][0]["data"]["text/html"]
    assert "robustness value" in shown[4][0]["data"]["text/html"]
    assert shown[5][0]["data"]["image/svg+xml"].lstrip().startswith("<svg")
