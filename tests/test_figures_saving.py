"""Saving figures: the PNG Sitthi writes itself shows what matplotlib would, at 300 dpi."""

import io

import matplotlib as mpl
import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from analysis.report.figures import save_figure, style
from analysis.report.figures.saving import png_bytes, rendered_pixels


def _figure() -> Figure:
    with mpl.rc_context(style()):
        figure = Figure(figsize=(3, 2), layout="constrained")
        axes = figure.add_subplot()
        axes.barh(["การถูกจับกุม", "Detention"], [3, 5], color=["#0072B2", "#E69F00"])
        axes.set_title("สิทธิที่ถูกละเมิด / rights violated")
    return figure


def test_png_bytes_round_trip_with_dpi_and_transparency() -> None:
    pixels = np.random.default_rng(0).integers(0, 256, (7, 5, 4), dtype=np.uint8)
    image = Image.open(io.BytesIO(png_bytes(pixels, 300)))
    assert image.size == (5, 7) and image.mode == "RGBA"
    assert np.array_equal(np.asarray(image), pixels)
    assert [round(d) for d in image.info["dpi"]] == [300, 300]
    with pytest.raises(ValueError, match="height × width × 4"):
        png_bytes(pixels[..., :3], 300)


def test_saved_png_has_the_pixels_matplotlib_draws(tmp_path) -> None:
    reference = io.BytesIO()
    with mpl.rc_context(style()):
        _figure().savefig(reference, format="png")  # matplotlib's own PNG at savefig.dpi (300)
    figure = _figure()
    files = save_figure(figure, tmp_path / "rights", formats=("png", "pdf"))
    assert [p.name for p in files] == ["rights.png", "rights.pdf"]
    mine = np.asarray(Image.open(files[0]))
    assert np.array_equal(mine, np.asarray(Image.open(reference)))
    assert np.array_equal(rendered_pixels(figure), mine)  # kept for report.html's page image
    assert files[1].read_bytes().startswith(b"%PDF")
    assert not (tmp_path / "rights.svg").exists()


def test_save_figure_refuses_an_unknown_format(tmp_path) -> None:
    with pytest.raises(ValueError, match="'gif'"):
        save_figure(_figure(), tmp_path / "x", formats=("png", "gif"))
    assert list(tmp_path.iterdir()) == []
