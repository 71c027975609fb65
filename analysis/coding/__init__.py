"""Human codings: the store and its audit log, anchoring to the text, status, suggestions, the study check."""
