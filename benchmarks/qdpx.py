"""Measure the REFI-QDA project exchange: export the demo (and the demo scaled 10×) and import it back.

Prints one JSON object: seconds to export and to import, archive size, selections carried, and the
process's peak resident memory. Usage: ``python benchmarks/qdpx.py [--copies 10]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

from democopy import copy_demo

from analysis.exchange.qdpx_export import export_qdpx
from analysis.exchange.qdpx_import import import_qdpx


def measure(study, folder: Path) -> dict:
    started = time.perf_counter()
    written = export_qdpx(study, folder / "project.qdpx")
    exported = time.perf_counter() - started
    started = time.perf_counter()
    back = import_qdpx(written.path, folder / "back", anonymised=True)
    imported = time.perf_counter() - started
    return {"transcripts": written.transcripts, "selections": written.selections,
            "schema_checked": written.schema is not None,
            "archive_kib": round(written.path.stat().st_size / 1024, 1),
            "export_s": round(exported, 2), "import_s": round(imported, 2),
            "codings_back": sum(back.codings.values()), "not_imported": len(back.not_imported)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=10)
    copies = parser.parse_args().copies
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        results = {"demo": measure(copy_demo(root / "demo", 1, codings=True), root / "demo-out"),
                   f"demo_x{copies}": measure(copy_demo(root / "scaled", copies, codings=True),
                                              root / "scaled-out")}
    results["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
