"""The HTML report in a real browser: headless Chromium renders the graph and every section, no console errors."""

import re
import shutil
import struct
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from dagcore.estimators.report.analysis import analyze
from dagcore.estimators.report.formats import SECTIONS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome", "chrome")) if p), None)
CONSOLE = re.compile(r"CONSOLE|Uncaught|Failed to load resource|net::ERR_")


def chromium(tmp: Path, url: str, *args: str) -> subprocess.CompletedProcess:
    if CHROMIUM is None:
        pytest.skip("headless Chromium not found (install the Debian package 'chromium'; `make test` does it as root)")
    profile = tmp / f"profile-{len(list(tmp.glob('profile-*')))}"
    cmd = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *args, url,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def console_errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if CONSOLE.search(line)]


def test_console_error_detection_works(tmp_path: Path) -> None:
    # a control: the detector must see an error on a page that has one
    page = tmp_path / "bad.html"
    page.write_text('<!DOCTYPE html><p>x</p><script>console.error("boom"); undefinedFn();</script>')
    res = chromium(tmp_path, page.as_uri(), "--dump-dom")
    assert any("boom" in line for line in console_errors(res.stderr))


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from dagcore.grammar import load

    root = Path(__file__).resolve().parents[1]
    dag, csv = root / "examples" / "nhefs" / "nhefs.dag", root / "examples" / "nhefs" / "nhefs.csv"
    analysis = analyze(load(dag), pd.read_csv(csv), n_simulations=30)
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(analysis.to_html(), encoding="utf-8")
    return path



def test_report_renders_every_section(report: Path) -> None:
    res = chromium(report.parent, report.as_uri(), "--dump-dom")
    assert res.returncode == 0, res.stderr[-2000:]
    dom = res.stdout
    for sid, _ in SECTIONS:
        assert f'<section id="{sid}">' in dom, sid
    graph = dom[dom.index('<section id="graph">') :]
    assert "<svg" in graph[: graph.index("</section>")]
    assert console_errors(res.stderr) == []


def test_report_screenshot(report: Path) -> None:
    shot = report.parent / "report.png"
    res = chromium(report.parent, report.as_uri(), f"--screenshot={shot}", "--window-size=1200,2400",
                   "--hide-scrollbars")
    assert res.returncode == 0 and shot.exists(), res.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1200, 2400)
    assert len(data) > 50_000  # a blank page compresses to a few kB
    assert console_errors(res.stderr) == []
