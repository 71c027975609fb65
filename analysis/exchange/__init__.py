"""REFI-QDA exchange (QDA-XML 1.0): codebooks (``.qdc``) and, later, projects (``.qdpx``)."""
