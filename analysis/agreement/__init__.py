"""Inter-coder agreement: statistics, coder x segment tables, the study-level run."""
