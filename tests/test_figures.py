"""The one figure-to-SVG mechanism used by every report figure."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from dagcore.estimators.report.figures import figure_svg, new_figure, save_figure


def test_inline_svg_is_one_parsable_element_with_text_as_text() -> None:
    fig = new_figure(width=3, height=2)
    ax = fig.add_subplot()
    ax.hist([0.1, 0.2, 0.2, 0.9], bins=4)
    ax.set_xlabel("propensity score")
    svg = figure_svg(fig)
    assert svg.startswith("<svg")
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert "propensity score" in svg  # svg.fonttype none keeps labels searchable and selectable


def test_inline_svg_is_deterministic() -> None:
    def draw() -> str:
        fig = new_figure()
        fig.add_subplot().plot([0, 1, 2], [2, 0, 1])
        return figure_svg(fig)

    assert draw() == draw()


def test_save_figure_follows_the_suffix(tmp_path) -> None:  # type: ignore[no-untyped-def]
    fig = new_figure()
    fig.add_subplot().plot([0, 1], [1, 0])
    png = save_figure(fig, tmp_path / "f.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (save_figure(fig, tmp_path / "f.svg")).read_text().lstrip().startswith("<?xml")
