"""Sitthi (สิทธิ): qualitative analysis of human-rights testimony in Thai and English.

Importing the package makes pythainlp work offline and read-only before anything imports it:
Sitthi never downloads a model or corpus at run time.
"""

import os

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
os.environ.setdefault("PYTHAINLP_READ_ONLY", "1")

__version__ = "0.1.0"
