"""``sitthi check``: validate a study and summarise its corpus in one table."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.codebook.model import CodebookError
from analysis.coding.loaded import LoadedStudy, loaded
from analysis.coding.memos import check_memos
from analysis.errors import SitthiError
from analysis.study import Study
from analysis.text.corpus import Corpus
from analysis.text.script import thai_share
from analysis.text.wordlist import word_list_problems

COLUMNS = ["id", "language", "site", "group", "turns", "characters", "thai_share", "problems"]


@dataclass
class CheckResult:
    """What ``check_study`` found: the corpus table and every problem (empty when all is well)."""

    corpus: Corpus
    table: pd.DataFrame
    problems: list[SitthiError]

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem_lines(self) -> list[str]:
        """One ``file:line: what — what to do`` line per problem."""
        return [problem.message for problem in self.problems]


def corpus_table(corpus: Corpus) -> pd.DataFrame:
    """One row per transcript file: id, language, site, group, turns, characters, Thai share, problems.

    Files that could not be read appear with their problem count and empty cells.
    """
    per_file: dict = {}
    for problem in corpus.problems:
        per_file[problem.path] = per_file.get(problem.path, 0) + 1
    rows = [{
        "id": t.id, "language": t.language,
        "site": t.attributes.get("site"), "group": t.attributes.get("group"),
        "turns": len(t.turns), "characters": len(t.body),
        "thai_share": round(thai_share(t.body), 2), "problems": per_file.pop(t.path, 0),
    } for t in corpus]
    rows += [{"id": path.name if path else "?", "problems": count} for path, count in per_file.items()]
    table = pd.DataFrame(rows, columns=COLUMNS)
    return table.astype({"turns": "Int64", "characters": "Int64", "problems": "int64"})


def check_study(source: Study | LoadedStudy, *, progress: bool = False) -> CheckResult:
    """Validate everything Sitthi knows how to check in a study: codebook, transcripts, the team's word
    list, codings, memos."""
    data = loaded(source, progress=progress)
    corpus = data.corpus
    problems: list[SitthiError] = []
    try:
        _ = data.codebook  # loading it validates it
    except CodebookError as err:
        problems.append(err)
    problems += corpus.problems
    problems += word_list_problems(data.study.word_list_path)
    if not problems or not isinstance(problems[0], CodebookError):  # codings need a valid codebook
        problems += data.resolved[1]
    problems += check_memos(data.store, {t.id: t for t in corpus}, data.segments)
    if not corpus.transcripts and not problems:
        problems.append(SitthiError("no transcripts", path=data.study.transcripts_dir,
                                    fix="put anonymised .md, .txt or .docx transcripts here"))
    return CheckResult(corpus=corpus, table=corpus_table(corpus), problems=problems)


def corpus_summary(corpus: Corpus) -> pd.DataFrame:
    """Transcripts, turns and characters by language, with a total row."""
    table = corpus_table(corpus).dropna(subset=["language"])
    summary = table.groupby("language").agg(transcripts=("id", "count"), turns=("turns", "sum"),
                                            characters=("characters", "sum"))
    summary.loc["total"] = summary.sum()
    return summary
