"""Notebook widgets (ipywidgets) for research leaders: the codebook browser, the coding panel."""
