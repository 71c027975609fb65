"""Text: reading and normalising transcripts, segments, tokens, the corpus, its cache, word counts."""
