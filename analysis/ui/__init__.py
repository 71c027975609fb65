"""Notebook widgets for research leaders: the coding widget (select text, apply codes), the coding panel
(whole-turn checkboxes), the codebook browser."""

from analysis.ui.coding_panel import CodingPanel
from analysis.ui.coding_widget import CodingWidget

__all__ = ["CodingPanel", "CodingWidget"]
