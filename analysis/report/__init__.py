"""The report: which codings count, tables with disclosure control, figures, HTML, DOCX."""
