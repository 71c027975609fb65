"""Figures: one function per figure, each returning a ``matplotlib.figure.Figure``.

``style`` holds what every figure shares (Thai font, palette, labels), ``saving`` writes them in
every format; the other modules hold the figures of one topic each. A notebook cell that returns a
``Figure`` shows it as a picture.
"""

from analysis.report.figures.agreement import agreement_alpha, agreement_pages
from analysis.report.figures.rights import (
                                    cooccurrence_heatmap,
                                    participant_matrix,
                                    rights_by_group,
                                    rights_violated,
)
from analysis.report.figures.saving import FIGURE_FORMATS, save_figure
from analysis.report.figures.style import (
                                    FONT_FAMILY,
                                    LANGS,
                                    PALETTE,
                                    attribute_label,
                                    figure_png,
                                    label,
                                    register_thai_font,
                                    shorten,
                                    show_figures_in_notebooks,
                                    style,
                                    value_label,
                                    wrap_label,
)
from analysis.report.figures.words import top_words

__all__ = ["FIGURE_FORMATS", "FONT_FAMILY", "LANGS", "PALETTE", "agreement_alpha", "agreement_pages",
           "attribute_label", "cooccurrence_heatmap", "figure_png", "label", "participant_matrix",
           "register_thai_font", "rights_by_group", "rights_violated", "save_figure", "shorten", "style",
           "top_words", "value_label", "wrap_label"]

show_figures_in_notebooks()
