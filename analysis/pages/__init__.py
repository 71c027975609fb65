"""Self-contained HTML pages: Jinja2 templates (autoescaped) and the embedded Sarabun font."""
