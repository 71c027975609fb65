"""The ``sitthi`` command. Each command is a thin call into the modules of ``analysis``.

Exit status: 0 when all is well, 1 when problems are found (``check``, ``check --privacy``,
refused files, any ``SitthiError``), 2 for usage errors, 130 when interrupted. Every error a user
can cause prints as one line on stderr, never a traceback (see ``run``).
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

# typer >= 0.29 vendors click as ``typer._click``: its usage errors are not ``click``'s classes.
from typer._click.exceptions import NoArgsIsHelpError, UsageError

from analysis.errors import SitthiError
from analysis.study import Study, init_study, load_study

if TYPE_CHECKING:
    from analysis.coding.check import CheckResult

app = typer.Typer(help="Sitthi (สิทธิ): qualitative analysis of human-rights testimony in Thai and English.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)

TOOL_CODEBOOKS = Path(__file__).resolve().parent.parent / "codebooks"

StudyOption = Annotated[Path | None, typer.Option(
    "--study", help="Study folder (default: $SITTHI_STUDY, else the nearest study.toml above here).")]


def _given_study(ctx: typer.Context, study: Path | None) -> Path | None:
    """The ``--study`` given after the command, else the one given before it (``sitthi --study D``)."""
    before = ctx.find_root().params.get("study")
    if study is not None and before is not None and Path(study).resolve() != Path(before).resolve():
        raise UsageError(f"--study given twice ({before} and {study}): give it once", ctx)
    return study if study is not None else before


def _study(ctx: typer.Context, study: Path | None) -> Study:
    """Load the study of ``--study`` (before or after the command), ``$SITTHI_STUDY`` or the nearest."""
    return load_study(_given_study(ctx, study))


@app.callback()
def main_options(study: StudyOption = None) -> None:
    """Choose the study for every command (``--study`` may also follow the command)."""


def _print_check(result: CheckResult) -> None:
    typer.echo(result.table.to_string(index=False, na_rep="-"))
    typer.echo("")
    for line in result.problem_lines():
        typer.echo(line, err=True)
    if result.ok:
        typer.echo(f"OK: {len(result.corpus)} transcripts, no problems. / ไม่พบปัญหา")
    else:
        typer.echo(f"{len(result.problems)} problem(s) found. / พบปัญหา {len(result.problems)} จุด",
                   err=True)


PrivacyOption = Annotated[bool, typer.Option(
    "--privacy", help="Look for identifiers in transcripts, codings, outputs and notebooks.")]
ProposeOption = Annotated[bool, typer.Option("--propose", help="Find identifiers, write the key.")]
ApplyOption = Annotated[bool, typer.Option("--apply", help="Apply the reviewed key.")]


@app.command()
def check(ctx: typer.Context, privacy: PrivacyOption = False, study: StudyOption = None) -> None:
    """Validate the study and print the corpus table; exit 1 if anything is wrong."""
    if privacy:
        from analysis.privacy.leak_guard import check_privacy

        leaks = check_privacy(_study(ctx, study))
        for leak in leaks:
            typer.echo(leak.message, err=True)
        typer.echo(f"{len(leaks)} possible leak(s). / พบข้อมูลที่อาจระบุตัวตน {len(leaks)} จุด" if leaks
                   else "OK: nothing identifying found. / ไม่พบข้อมูลที่ระบุตัวตน")
        raise typer.Exit(1 if leaks else 0)
    from analysis.coding.check import check_study

    result = check_study(_study(ctx, study), progress=True)
    _print_check(result)
    raise typer.Exit(0 if result.ok else 1)


@app.command()
def anonymise(ctx: typer.Context, propose: ProposeOption = False, apply: ApplyOption = False,
              study: StudyOption = None) -> None:
    """Pseudonymise data/raw/ into data/transcripts/ (the key stays outside the study)."""
    if propose == apply:
        raise UsageError("give either --propose or --apply (one of them)", ctx)
    from analysis.privacy import anonymise as anon

    chosen = _study(ctx, study)
    if anon.study_id_note(chosen):
        typer.echo(anon.study_id_note(chosen), err=True)
    if propose:
        key, review, n = anon.write_proposal(chosen)
        typer.echo(f"{n} identifiers proposed. Review / ตรวจ: {review}\nthen edit / แก้ไข: {key}")
        return
    applied = anon.apply_key(chosen)
    for problem in applied.problems:
        typer.echo(problem.message, err=True)
    typer.echo(f"{len(applied.written)} transcript(s) written to {chosen.transcripts_dir}; "
               f"{len(applied.problems)} refused.")
    carried = applied.carried
    if carried.count or carried.lost or carried.kept:
        typer.echo(f"{carried.count} imported coding(s) carried to {chosen.codings_dir}"
                   + (f"; {carried.lost} lost (their words were replaced entirely)" if carried.lost else "")
                   + (f"; {len(carried.kept)} file(s) left in data/raw/codings (the coder has codings "
                      "there already)" if carried.kept else ""))
    raise typer.Exit(1 if applied.problems else 0)


@app.command("install-hooks")
def install_hooks(ctx: typer.Context, study: StudyOption = None) -> None:
    """Install a git pre-commit hook: no identifiers and no notebook outputs in a commit."""
    from analysis.privacy.git_hook import install

    typer.echo(f"Installed / ติดตั้งแล้ว: {install(_study(ctx, study).root)}")


@app.command()
def report(ctx: typer.Context,
           force: Annotated[bool, typer.Option(help="Rebuild even if nothing changed.")] = False,
           study: StudyOption = None) -> None:
    """Build the report in outputs/: figures (th, en), tables, report.html, quotes.docx."""
    from analysis.report.build import build_report

    result = build_report(_study(ctx, study), force=force, progress=True)
    for line in result.removed:
        typer.echo(f"removed (leak guard) / ลบออก: {line}", err=True)
    state = "built / สร้างแล้ว" if result.rebuilt else "up to date, nothing changed / เป็นปัจจุบันแล้ว"
    typer.echo(f"Report {state}: {len(result.files)} files in {result.folder}")
    typer.echo(f"Open / เปิด: {result.folder / 'report.html'}")


@app.command()
def words(ctx: typer.Context,
          by: Annotated[str | None, typer.Option(help="Attribute to break down by (site, group).")] = None,
          top: Annotated[int, typer.Option(min=1, help="How many words per group.")] = 20,
          diff: Annotated[bool, typer.Option(
              "--diff", help="Show how each word of the team's word list was split without it.")] = False,
          study: StudyOption = None) -> None:
    """Most frequent words (without stopwords and punctuation), overall or per group."""
    from analysis.text.words import format_word_list_changes, word_frequencies, word_list_changes, words_table

    chosen = _study(ctx, study)
    if diff:
        changes = word_list_changes(chosen)
        for line in format_word_list_changes(changes):
            typer.echo(line)
        if changes.empty:
            typer.echo(f"No words in {chosen.word_list_path}: add Thai words there, one per line. "
                       "/ ยังไม่มีคำในรายการ")
        return
    table = word_frequencies(words_table(chosen, progress=True), by=by, top=top)
    typer.echo(table.to_string(index=False))


@app.command()
def kwic(ctx: typer.Context, query: Annotated[str, typer.Argument(help="Word or phrase to find.")],
         by: Annotated[str | None, typer.Option(help="Attribute to show with each hit.")] = None,
         window: Annotated[int, typer.Option(min=0, help="Characters of context on each side.")] = 30,
         substring: Annotated[bool, typer.Option(
             "--substring", help="Find the text anywhere, also inside longer words.")] = False,
         lang: Annotated[Literal["en", "th"], typer.Option(help="Language of the column names.")] = "en",
         xlsx: Annotated[Path | None, typer.Option(help="Also write the table to this .xlsx file.")] = None,
         study: StudyOption = None) -> None:
    """Keyword in context: every place a word or phrase occurs, as whole words, with the text around it."""
    from analysis.text.kwic import format_kwic, write_kwic
    from analysis.text.kwic import kwic as find

    hits = find(_study(ctx, study), query, window=window, by=by, substring=substring, lang=lang)
    for line in format_kwic(hits) if len(hits) else [f"'{query}' not found. / ไม่พบคำนี้"]:
        typer.echo(line)
    typer.echo(f"{len(hits)} hit(s) in {hits.iloc[:, 0].nunique()} transcript(s).")
    if xlsx is not None:
        typer.echo(f"Wrote {write_kwic(xlsx, hits, lang=lang)}")


codebook_app = typer.Typer(help="The study's codebook: check it, print the coder's guide.",
                           no_args_is_help=True)
export_app = typer.Typer(help="Export to other QDA programs (REFI-QDA).", no_args_is_help=True)
import_app = typer.Typer(help="Import from other QDA programs (REFI-QDA).", no_args_is_help=True)
app.add_typer(codebook_app, name="codebook")
app.add_typer(export_app, name="export")
app.add_typer(import_app, name="import")


@codebook_app.command("guide")
def codebook_guide(ctx: typer.Context, study: StudyOption = None) -> None:
    """Write the bilingual coder's guide to outputs/codebook/guide.html and guide.md."""
    from analysis.codebook.guide import write_guide
    from analysis.codebook.model import study_codebook

    chosen = _study(ctx, study)
    for path in write_guide(study_codebook(chosen), chosen.outputs_dir / "codebook"):
        typer.echo(f"Wrote {path}")


@codebook_app.command("show")
def codebook_show(ctx: typer.Context,
                  search: Annotated[str, typer.Argument(help="Text to look for (Thai or English).")] = "",
                  lang: Annotated[Literal["th", "en"], typer.Option(help="Label language.")] = "th",
                  study: StudyOption = None) -> None:
    """List the codes (or those matching a search) with their labels."""
    from analysis.codebook.model import study_codebook

    table = study_codebook(_study(ctx, study)).search(search)
    typer.echo(table[["id", "kind", "parent", f"label_{lang}"]].to_string(index=False, na_rep="-"))


@export_app.command("codebook")
def export_codebook(ctx: typer.Context,
                    out: Annotated[Path, typer.Argument(help="The .qdc file to write.")],
                    study: StudyOption = None) -> None:
    """Write the codebook as a REFI-QDA codebook (.qdc) for NVivo, ATLAS.ti, MAXQDA, QualCoder."""
    from analysis.codebook.model import study_codebook
    from analysis.exchange.qdc import write_qdc

    path = write_qdc(study_codebook(_study(ctx, study)), out)
    typer.echo(f"Wrote {path}")


@export_app.command("qdpx")
def export_qdpx_command(ctx: typer.Context,
                        out: Annotated[Path | None, typer.Argument(
                            help="The .qdpx to write (default: outputs/exchange/<study>.qdpx).")] = None,
                        coders: Annotated[str | None, typer.Option(
                            help="Only these coders' codings, e.g. --coders nok,mai (default: all).")] = None,
                        study: StudyOption = None) -> None:
    """Write transcripts, codebook and codings as a REFI-QDA project (.qdpx)."""
    from analysis.exchange.qdpx_export import export_qdpx

    chosen = _study(ctx, study)
    only = [c.strip() for c in coders.split(",") if c.strip()] if coders is not None else None
    out = out or chosen.outputs_dir / "exchange" / f"{chosen.root.name}.qdpx"
    typer.echo(export_qdpx(chosen, out, coders=only).summary())


@import_app.command("codebook")
def import_codebook(ctx: typer.Context,
                    source: Annotated[Path, typer.Argument(help="The .qdc (or .qde) file to read.")],
                    out: Annotated[str | None, typer.Option(help="Name of the new YAML codebook.")] = None,
                    study: StudyOption = None) -> None:
    """Read a REFI-QDA codebook into the study's codebooks folder as YAML."""
    from analysis.exchange.qdc import import_qdc

    target = _study(ctx, study).codebooks_dir / (out or f"{source.stem}.yaml")
    result = import_qdc(source, target)
    typer.echo(f"Wrote {target} ({len(result.data['codes'])} codes).")
    for note in result.notes:
        typer.echo(f"note: {note}")
    typer.echo("To use it, set codebook = \"" + target.name + "\" in study.toml.")


@import_app.command("qdpx")
def import_qdpx_command(
        ctx: typer.Context,
        source: Annotated[Path, typer.Argument(help="The .qdpx project (or a bare .qde file) to read.")],
        study: Annotated[Path | None, typer.Option(
            "--study", help="Folder of the new study (created if missing); required.")] = None,
        anonymised: Annotated[bool, typer.Option(
            "--anonymised", help="The texts are anonymised: write them to data/transcripts.")] = False,
        ) -> None:
    """Import a REFI-QDA project (NVivo, ATLAS.ti, MAXQDA, QualCoder) into a new, empty study."""
    from analysis.exchange.qdpx_import import import_qdpx

    target = _given_study(ctx, study)
    if target is None:
        raise UsageError("Missing option '--study': the folder of the new study", ctx)
    result = import_qdpx(source, target, anonymised=anonymised, progress=True)
    for line in result.summary():
        typer.echo(line)
    for note in result.notes:
        typer.echo(f"note: {note}")
    if result.not_imported:
        typer.echo(f"Not imported ({len(result.not_imported)}):")
        for line in result.not_imported:
            typer.echo(f"  - {line}")


codings_app = typer.Typer(help="Coders' codings: status, undo, redo, and every passage coded with a code.",
                          no_args_is_help=True)
app.add_typer(codings_app, name="codings")


@codings_app.command("status")
def codings_status(ctx: typer.Context, study: StudyOption = None) -> None:
    """Per coder: transcripts coded, segments coded, codes used, last activity."""
    from analysis.coding.status import coding_status

    table = coding_status(_study(ctx, study))
    typer.echo(table.to_string(index=False) if len(table) else "No codings yet. / ยังไม่มีการลงรหัส")


@codings_app.command("undo")
def codings_undo(ctx: typer.Context,
                 coder: Annotated[str, typer.Option(help="Whose last action to undo.")],
                 study: StudyOption = None) -> None:
    """Undo a coder's last action (add, remove or edit), from the audit log."""
    from analysis.coding.store import CodingStore

    _echo_replayed("Undid", CodingStore(_study(ctx, study)).undo(coder), coder)


@codings_app.command("redo")
def codings_redo(ctx: typer.Context,
                 coder: Annotated[str, typer.Option(help="Whose last undone action to do again.")],
                 study: StudyOption = None) -> None:
    """Redo a coder's action undone last (before any new change), from the audit log."""
    from analysis.coding.store import CodingStore

    _echo_replayed("Redid", CodingStore(_study(ctx, study)).redo(coder), coder)


def _echo_replayed(verb: str, entry: dict, coder: str) -> None:
    """Say which log entry an undo or redo took back or did again."""
    row = entry["row"]
    what = f"the {row['target']} memo" if entry.get("kind") == "memo" else row["code_id"]
    where = row["segment_id"] or row["transcript_id"]
    typer.echo(f"{verb} {entry['action']} of {what} on {where} by {coder}.")


@codings_app.command("show")
def codings_show(ctx: typer.Context,
                 code: Annotated[str, typer.Argument(help="The code, e.g. LIB-SHEL (its sub-codes too).")],
                 coder: Annotated[list[str] | None, typer.Option(
                     help="Only this coder's codings (repeat for several).")] = None,
                 no_subcodes: Annotated[bool, typer.Option(
                     "--no-subcodes", help="Only the code itself, not the codes under it.")] = False,
                 lang: Annotated[Literal["en", "th"], typer.Option(
                     help="Language of the column names.")] = "en",
                 xlsx: Annotated[Path | None, typer.Option(
                     help="Also write the table to this .xlsx file.")] = None,
                 study: StudyOption = None) -> None:
    """Every passage coded with a code, by coder, with its context, memos and place in the file."""
    from analysis.coding.retrieve import coded_passages, format_passages, write_passages

    found = coded_passages(_study(ctx, study), code, coders=coder, include_subcodes=not no_subcodes,
                           lang=lang)
    for line in format_passages(found):
        typer.echo(line)
    typer.echo(f"{len(found)} passage(s) in {found.iloc[:, 0].nunique()} transcript(s) coded with "
               f"{code.upper()}{'' if no_subcodes else ' and its sub-codes'}.")
    if xlsx is not None:
        typer.echo(f"Wrote {write_passages(xlsx, found, lang=lang)}")


attributes_app = typer.Typer(help="Participant attributes in a spreadsheet (.xlsx or .csv): export, import.",
                             no_args_is_help=True)
app.add_typer(attributes_app, name="attributes")
SheetArgument = Annotated[Path, typer.Argument(help="The sheet: a .xlsx or .csv file.")]
RawOption = Annotated[bool, typer.Option("--raw", help="Raw transcripts (data/raw, not data/transcripts).")]


@attributes_app.command("export")
def attributes_export(ctx: typer.Context, sheet: SheetArgument, raw: RawOption = False,
                      study: StudyOption = None) -> None:
    """Write one row per transcript: id, file, language and every attribute of its front matter."""
    from analysis.intake.attributes import SheetError, export_attributes

    try:
        typer.echo(f"Wrote {export_attributes(_study(ctx, study), sheet, raw=raw)}")
    except SheetError as err:
        for problem in err.problems:
            typer.echo(problem.message, err=True)
        raise
    if raw:
        typer.echo("note: it holds the raw transcripts' front matter: keep it out of git and shared folders")


@attributes_app.command("import")
def attributes_import(ctx: typer.Context, sheet: SheetArgument, raw: RawOption = False,
                      dry_run: Annotated[bool, typer.Option(
                          "--dry-run", help="Check the sheet and list the changes; write nothing.")] = False,
                      study: StudyOption = None) -> None:
    """Write a sheet's values into the transcripts' front matter, nothing else; exit 1 on any problem."""
    from analysis.intake.attributes import SheetError, import_attributes

    try:
        result = import_attributes(_study(ctx, study), sheet, raw=raw, dry_run=dry_run)
    except SheetError as err:
        for problem in err.problems:
            typer.echo(problem.message, err=True)
        raise
    for line in result.summary():
        typer.echo(line)


@app.command()
def suggest(ctx: typer.Context,
            evaluate: Annotated[str | None, typer.Option(help="Compare suggestions with this coder.")] = None,
            transcript: Annotated[str | None, typer.Option(help="Only this transcript.")] = None,
            study: StudyOption = None) -> None:
    """Keyword suggestions per segment, or (--evaluate CODER) their precision and recall per code."""
    from analysis.coding.status import suggestion_report

    table = suggestion_report(_study(ctx, study), coder=evaluate, transcript=transcript)
    typer.echo(table.to_string(index=False))


@app.command()
def agree(ctx: typer.Context,
          coders: Annotated[str | None, typer.Option(help="Comma-separated coders (default: all).")] = None,
          by: Annotated[Literal["code", "right"], typer.Option(help="Per code or per right.")] = "code",
          format: Annotated[Literal["table", "csv", "json"], typer.Option(help="Output format.")] = "table",
          samples: Annotated[int, typer.Option(min=1, help="Bootstrap samples for the alpha CI.")] = 1000,
          study: StudyOption = None) -> None:
    """Inter-coder agreement per code (or right): percent agreement, kappa, alpha with 95% CI."""
    from analysis.agreement.study import study_agreement, write_disagreements
    from analysis.spreadsheets import csv_text

    chosen = _study(ctx, study)
    result = study_agreement(chosen, coders=coders.split(",") if coders else None, by=by, samples=samples)
    table = result.table
    if format == "csv":
        typer.echo(csv_text(table), nl=False)
    elif format == "json":
        typer.echo(table.to_json(orient="records", force_ascii=False, indent=1))
    else:
        typer.echo(table.drop(columns=["label_th"]).to_string(index=False, na_rep="-"))
        path = write_disagreements(result, chosen.outputs_dir / "agreement" / "disagreements.xlsx")
        typer.echo(f"\nCoders: {', '.join(result.coders)}. Unit: segment. "
                   f"{len(result.disagreements)} disagreements written to {path}")


@app.command()
def add(ctx: typer.Context,
        files: Annotated[list[Path], typer.Argument(
            help="Interviews as you have them: .txt .docx .odt .rtf .pdf .srt .vtt")],
        language: Annotated[Literal["th", "en", "mixed"] | None, typer.Option(
            help="Language of every file (default: from the script of each).")] = None,
        site: Annotated[str | None, typer.Option(help="Research site written into each file.")] = None,
        study: StudyOption = None) -> None:
    """Turn typed-up interviews into raw transcripts in data/raw/ (the originals are not changed)."""
    from analysis.intake.add import add_files, intake_table, refusals

    results = add_files(_study(ctx, study), files, language=language, site=site)
    table = intake_table(results)
    if len(table):
        typer.echo(table.to_string(index=False))
        typer.echo("Check the table, then run `sitthi anonymise --propose`. Ids come from the file names "
                   "and are never anonymised. / ตรวจตารางก่อน แล้วจึงปกปิดตัวตน")
    for line in refusals(results):
        typer.echo(f"refused: {line}", err=True)
    raise typer.Exit(1 if refusals(results) else 0)


@app.command()
def init(path: Annotated[Path, typer.Argument(help="Folder for the new study (created if missing).")],
         name: Annotated[str | None, typer.Option(help="Study name (default: the folder name).")] = None,
         ) -> None:
    """Create a new study folder: study.toml, data/, codebooks/, outputs/ and a .gitignore."""
    created = init_study(path, name=name, codebooks=TOOL_CODEBOOKS)
    typer.echo(f"Created study '{created.name}' in {created.root}")
    typer.echo(f"Put anonymised transcripts in {created.transcripts_dir} and raw interviews in "
               f"{created.raw_dir} (never commit data/raw).")


def _one_line(text: str) -> str:
    return " ".join(part.strip() for part in str(text).splitlines() if part.strip())


def _fail(message: str, status: int) -> int:
    typer.echo(_one_line(message), err=True)
    return status


def _usage(err: UsageError) -> str:
    command = err.ctx.command_path if err.ctx is not None else "sitthi"
    return f"error: {err.format_message()} (try: {command} --help)"


def run(args: list[str] | None = None) -> int:
    """Run ``sitthi`` with ``args`` (default: the command line) and return its exit status.

    0 when all is well, 1 for problems found and user errors (one line each), 2 for usage errors
    (one line), 130 when interrupted. A bug prints one line too; ``SITTHI_DEBUG=1`` adds its traceback.
    """
    try:
        status = app(args=sys.argv[1:] if args is None else args, prog_name="sitthi", standalone_mode=False)
    except SitthiError as err:
        return _fail(f"error: {err.message}", 1)
    except NoArgsIsHelpError as err:  # `sitthi` or `sitthi codings` alone: show the help
        if err.format_message().strip():  # with rich installed, typer has printed it already
            typer.echo(err.format_message(), err=True)
        return err.exit_code
    except UsageError as err:
        return _fail(_usage(err), err.exit_code)
    except typer.TyperException as err:  # the other errors typer (click) reports, e.g. unreadable files
        return _fail(f"error: {err.format_message()}", err.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        return _fail("Aborted. / ยกเลิกแล้ว", 130)
    except Exception as err:  # a bug in Sitthi, not the user's doing
        if os.environ.get("SITTHI_DEBUG", "") not in ("", "0"):
            traceback.print_exception(err)
        return _fail(f"internal error: {type(err).__name__}: {err} — please report it; "
                     "run with SITTHI_DEBUG=1 to see the details", 1)
    return status if isinstance(status, int) else 0


def main() -> None:
    """Console entry point (``sitthi``): exit with the status of ``run``."""
    sys.exit(run())
