"""The codebook of rights violations: loading, validation, tree queries, the coder's guide."""
