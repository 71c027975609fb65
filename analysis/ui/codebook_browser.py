"""A codebook browser for notebooks: type Thai or English, see matching codes in either language."""

from __future__ import annotations

import html

import ipywidgets as widgets

from analysis.codebook.model import Codebook

LANG_CHOICES = [("ไทย", "th"), ("English", "en")]


class CodebookBrowser:
    """Search box + language switch + table of matching codes. ``widget`` is what a cell shows."""

    def __init__(self, codebook: Codebook, *, lang: str = "th") -> None:
        self.codebook = codebook
        self.search = widgets.Text(placeholder="ค้นหารหัส / search codes", description="🔍",
                                   layout=widgets.Layout(width="24rem"))
        self.lang = widgets.ToggleButtons(options=LANG_CHOICES, value=lang)
        self.count = widgets.HTML()
        self.results = widgets.HTML()
        self.search.observe(self.refresh, "value")
        self.lang.observe(self.refresh, "value")
        self.widget = widgets.VBox([widgets.HBox([self.search, self.lang]), self.count, self.results])
        self.refresh()

    def refresh(self, *_) -> None:
        """Show the codes matching the search text, labels in the chosen language."""
        table = self.codebook.search(self.search.value)
        lang = self.lang.value
        self.count.value = f"<b>{len(table)}</b> {'รหัส' if lang == 'th' else 'codes'}"
        cells = ("label", "definition", "keywords")
        rows = "".join(
            f"<tr><td><code>{html.escape(row.id)}</code></td>"
            + "".join(f"<td>{html.escape(str(getattr(row, f'{cell}_{lang}')))}</td>" for cell in cells)
            + "</tr>" for row in table.itertuples())
        heads = ("รหัส", "ชื่อ", "ความหมาย", "คำสำคัญ") if lang == "th" else ("Code", "Label", "Definition",
                                                                           "Keywords")
        self.results.value = ("<table style='border-collapse:collapse'><tr>"
                              + "".join(f"<th style='text-align:left'>{h}</th>" for h in heads)
                              + f"</tr>{rows}</table>")

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
