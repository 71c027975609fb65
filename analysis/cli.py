"""The ``sitthi`` command. Each command is a thin call into the modules of ``analysis``.

User errors (``SitthiError``) print as ``file:line: what — what to do`` without a traceback and
exit with status 1.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from analysis.coding.check import CheckResult, check_study
from analysis.errors import SitthiError
from analysis.study import Study, init_study, load_study

app = typer.Typer(help="Sitthi (สิทธิ): qualitative analysis of human-rights testimony in Thai and English.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)

TOOL_CODEBOOKS = Path(__file__).resolve().parent.parent / "codebooks"

StudyOption = Annotated[Path | None, typer.Option(
    "--study", help="Study folder (default: $SITTHI_STUDY, else the nearest study.toml above here).")]


def _study(ctx: typer.Context) -> Study:
    return load_study(ctx.obj)


@app.callback()
def main_options(ctx: typer.Context, study: StudyOption = None) -> None:
    """Choose the study for every command."""
    ctx.obj = study


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
def check(ctx: typer.Context, privacy: PrivacyOption = False) -> None:
    """Validate the study and print the corpus table; exit 1 if anything is wrong."""
    if privacy:
        from analysis.privacy.leak_guard import check_privacy

        leaks = check_privacy(_study(ctx))
        for leak in leaks:
            typer.echo(leak.message, err=True)
        typer.echo(f"{len(leaks)} possible leak(s). / พบข้อมูลที่อาจระบุตัวตน {len(leaks)} จุด" if leaks
                   else "OK: nothing identifying found. / ไม่พบข้อมูลที่ระบุตัวตน")
        raise typer.Exit(1 if leaks else 0)
    result = check_study(_study(ctx), progress=True)
    _print_check(result)
    raise typer.Exit(0 if result.ok else 1)


@app.command()
def anonymise(ctx: typer.Context, propose: ProposeOption = False, apply: ApplyOption = False) -> None:
    """Pseudonymise data/raw/ into data/transcripts/ (the key stays outside the study)."""
    from analysis.privacy import anonymise as anon

    study = _study(ctx)
    if propose == apply:
        raise typer.BadParameter("give --propose or --apply")
    if propose:
        key, review, n = anon.write_proposal(study)
        typer.echo(f"{n} identifiers proposed. Review / ตรวจ: {review}\nthen edit / แก้ไข: {key}")
        return
    applied = anon.apply_key(study)
    for problem in applied.problems:
        typer.echo(problem.message, err=True)
    typer.echo(f"{len(applied.written)} transcript(s) written to {study.transcripts_dir}; "
               f"{len(applied.problems)} refused.")
    carried = applied.carried
    if carried.count or carried.lost or carried.kept:
        typer.echo(f"{carried.count} imported coding(s) carried to {study.codings_dir}"
                   + (f"; {carried.lost} lost (their words were replaced entirely)" if carried.lost else "")
                   + (f"; {len(carried.kept)} file(s) left in data/raw/codings (the coder has codings "
                      "there already)" if carried.kept else ""))
    raise typer.Exit(1 if applied.problems else 0)


@app.command("install-hooks")
def install_hooks(ctx: typer.Context) -> None:
    """Install a git pre-commit hook: no identifiers and no notebook outputs in a commit."""
    from analysis.privacy.git_hook import install

    typer.echo(f"Installed / ติดตั้งแล้ว: {install(_study(ctx).root)}")


@app.command()
def report(ctx: typer.Context,
           force: Annotated[bool, typer.Option(help="Rebuild even if nothing changed.")] = False) -> None:
    """Build the report in outputs/: figures (th, en), tables, report.html, quotes.docx."""
    from analysis.report.build import build_report

    result = build_report(_study(ctx), force=force, progress=True)
    for line in result.removed:
        typer.echo(f"removed (leak guard) / ลบออก: {line}", err=True)
    state = "built / สร้างแล้ว" if result.rebuilt else "up to date, nothing changed / เป็นปัจจุบันแล้ว"
    typer.echo(f"Report {state}: {len(result.files)} files in {result.folder}")
    typer.echo(f"Open / เปิด: {result.folder / 'report.html'}")


@app.command()
def words(ctx: typer.Context,
          by: Annotated[str | None, typer.Option(help="Attribute to break down by (site, group).")] = None,
          top: Annotated[int, typer.Option(help="How many words per group.")] = 20) -> None:
    """Most frequent words (without stopwords and punctuation), overall or per group."""
    from analysis.text.words import word_frequencies, words_table

    table = word_frequencies(words_table(_study(ctx), progress=True), by=by, top=top)
    typer.echo(table.to_string(index=False))


@app.command()
def kwic(ctx: typer.Context, query: Annotated[str, typer.Argument(help="Word or phrase to find.")],
         by: Annotated[str | None, typer.Option(help="Attribute to show with each hit.")] = None,
         window: Annotated[int, typer.Option(help="Characters of context on each side.")] = 30) -> None:
    """Keyword in context: every place a word or phrase occurs, with the text around it."""
    from analysis.text.words import kwic as find

    hits = find(_study(ctx), query, window=window, by=by)
    typer.echo(hits.to_string(index=False) if len(hits) else f"'{query}' not found. / ไม่พบคำนี้")
    typer.echo(f"{len(hits)} hit(s) in {hits['transcript_id'].nunique()} transcript(s).")


codebook_app = typer.Typer(help="The study's codebook: check it, print the coder's guide.",
                           no_args_is_help=True)
export_app = typer.Typer(help="Export to other QDA programs (REFI-QDA).", no_args_is_help=True)
import_app = typer.Typer(help="Import from other QDA programs (REFI-QDA).", no_args_is_help=True)
app.add_typer(codebook_app, name="codebook")
app.add_typer(export_app, name="export")
app.add_typer(import_app, name="import")


@codebook_app.command("guide")
def codebook_guide(ctx: typer.Context) -> None:
    """Write the bilingual coder's guide to outputs/codebook/guide.html and guide.md."""
    from analysis.codebook.guide import write_guide
    from analysis.codebook.model import study_codebook

    study = _study(ctx.parent)
    for path in write_guide(study_codebook(study), study.outputs_dir / "codebook"):
        typer.echo(f"Wrote {path}")


@codebook_app.command("show")
def codebook_show(ctx: typer.Context,
                  search: Annotated[str, typer.Argument(help="Text to look for (Thai or English).")] = "",
                  lang: Annotated[str, typer.Option(help="Label language: th or en.")] = "th") -> None:
    """List the codes (or those matching a search) with their labels."""
    from analysis.codebook.model import study_codebook

    table = study_codebook(_study(ctx.parent)).search(search)
    typer.echo(table[["id", "kind", "parent", f"label_{'th' if lang == 'th' else 'en'}"]]
               .to_string(index=False, na_rep="-"))


@export_app.command("codebook")
def export_codebook(ctx: typer.Context,
                    out: Annotated[Path, typer.Argument(help="The .qdc file to write.")]) -> None:
    """Write the codebook as a REFI-QDA codebook (.qdc) for NVivo, ATLAS.ti, MAXQDA, QualCoder."""
    from analysis.codebook.model import study_codebook
    from analysis.exchange.qdc import write_qdc

    path = write_qdc(study_codebook(_study(ctx.parent)), out)
    typer.echo(f"Wrote {path}")


@export_app.command("qdpx")
def export_qdpx_command(ctx: typer.Context,
                        out: Annotated[Path | None, typer.Argument(
                            help="The .qdpx to write (default: outputs/exchange/<study>.qdpx).")] = None,
                        coders: Annotated[str | None, typer.Option(
                            help="Only these coders' codings, e.g. --coders nok,mai (default: all).")] = None,
                        ) -> None:
    """Write transcripts, codebook and codings as a REFI-QDA project (.qdpx)."""
    from analysis.exchange.qdpx_export import export_qdpx

    study = _study(ctx.parent)
    chosen = [c.strip() for c in coders.split(",") if c.strip()] if coders is not None else None
    out = out or study.outputs_dir / "exchange" / f"{study.root.name}.qdpx"
    typer.echo(export_qdpx(study, out, coders=chosen).summary())


@import_app.command("codebook")
def import_codebook(ctx: typer.Context,
                    source: Annotated[Path, typer.Argument(help="The .qdc (or .qde) file to read.")],
                    out: Annotated[str | None, typer.Option(help="Name of the new YAML codebook.")] = None,
                    ) -> None:
    """Read a REFI-QDA codebook into the study's codebooks folder as YAML."""
    from analysis.exchange.qdc import import_qdc

    study = _study(ctx.parent)
    target = study.codebooks_dir / (out or f"{source.stem}.yaml")
    result = import_qdc(source, target)
    typer.echo(f"Wrote {target} ({len(result.data['codes'])} codes).")
    for note in result.notes:
        typer.echo(f"note: {note}")
    typer.echo("To use it, set codebook = \"" + target.name + "\" in study.toml.")


@import_app.command("qdpx")
def import_qdpx_command(
        source: Annotated[Path, typer.Argument(help="The .qdpx project (or a bare .qde file) to read.")],
        study: Annotated[Path, typer.Option("--study", help="Folder of the new study (created if missing).")],
        anonymised: Annotated[bool, typer.Option(
            "--anonymised", help="The texts are anonymised: write them to data/transcripts.")] = False,
        ) -> None:
    """Import a REFI-QDA project (NVivo, ATLAS.ti, MAXQDA, QualCoder) into a new, empty study."""
    from analysis.exchange.qdpx_import import import_qdpx

    result = import_qdpx(source, study, anonymised=anonymised, progress=True)
    for line in result.summary():
        typer.echo(line)
    for note in result.notes:
        typer.echo(f"note: {note}")
    if result.not_imported:
        typer.echo(f"Not imported ({len(result.not_imported)}):")
        for line in result.not_imported:
            typer.echo(f"  - {line}")


codings_app = typer.Typer(help="Coders' codings: status and undo.", no_args_is_help=True)
app.add_typer(codings_app, name="codings")


@codings_app.command("status")
def codings_status(ctx: typer.Context) -> None:
    """Per coder: transcripts coded, segments coded, codes used, last activity."""
    from analysis.coding.status import coding_status

    table = coding_status(_study(ctx.parent))
    typer.echo(table.to_string(index=False) if len(table) else "No codings yet. / ยังไม่มีการลงรหัส")


@codings_app.command("undo")
def codings_undo(ctx: typer.Context,
                 coder: Annotated[str, typer.Option(help="Whose last action to undo.")]) -> None:
    """Undo a coder's last action (add, remove or edit), from the audit log."""
    from analysis.coding.store import CodingStore

    entry = CodingStore(_study(ctx.parent)).undo(coder)
    row = entry["row"]
    typer.echo(f"Undid {entry['action']} of {row['code_id']} on {row['segment_id']} by {coder}.")


@app.command()
def suggest(ctx: typer.Context,
            evaluate: Annotated[str | None, typer.Option(help="Compare suggestions with this coder.")] = None,
            transcript: Annotated[str | None, typer.Option(help="Only this transcript.")] = None) -> None:
    """Keyword suggestions per segment, or (--evaluate CODER) their precision and recall per code."""
    from analysis.coding.status import suggestion_report

    typer.echo(suggestion_report(_study(ctx), coder=evaluate, transcript=transcript).to_string(index=False))


@app.command()
def agree(ctx: typer.Context,
          coders: Annotated[str | None, typer.Option(help="Comma-separated coders (default: all).")] = None,
          by: Annotated[str, typer.Option(help="code or right.")] = "code",
          format: Annotated[str, typer.Option(help="table, csv or json.")] = "table",
          samples: Annotated[int, typer.Option(help="Bootstrap samples for the alpha CI.")] = 1000) -> None:
    """Inter-coder agreement per code (or right): percent agreement, kappa, alpha with 95% CI."""
    from analysis.agreement.study import study_agreement, write_disagreements

    if by not in ("code", "right") or format not in ("table", "csv", "json"):
        raise typer.BadParameter("use --by code|right and --format table|csv|json")
    study = _study(ctx)
    result = study_agreement(study, coders=coders.split(",") if coders else None, by=by, samples=samples)
    table = result.table
    if format == "csv":
        typer.echo(table.to_csv(index=False), nl=False)
    elif format == "json":
        typer.echo(table.to_json(orient="records", force_ascii=False, indent=1))
    else:
        typer.echo(table.drop(columns=["label_th"]).to_string(index=False, na_rep="-"))
        path = write_disagreements(result, study.outputs_dir / "agreement" / "disagreements.xlsx")
        typer.echo(f"\nCoders: {', '.join(result.coders)}. Unit: segment. "
                   f"{len(result.disagreements)} disagreements written to {path}")


@app.command()
def init(path: Annotated[Path, typer.Argument(help="Folder for the new study (created if missing).")],
         name: Annotated[str | None, typer.Option(help="Study name (default: the folder name).")] = None,
         ) -> None:
    """Create a new study folder: study.toml, data/, codebooks/, outputs/ and a .gitignore."""
    study = init_study(path, name=name, codebooks=TOOL_CODEBOOKS)
    typer.echo(f"Created study '{study.name}' in {study.root}")
    typer.echo(f"Put anonymised transcripts in {study.transcripts_dir} and raw interviews in "
               f"{study.raw_dir} (never commit data/raw).")


def main() -> None:
    """Console entry point: run the app, print user errors in one line without a traceback."""
    try:
        app(standalone_mode=False)
    except SitthiError as err:
        typer.echo(f"error: {err.message}", err=True)
        sys.exit(1)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except typer.Abort:
        typer.echo("Aborted.", err=True)
        sys.exit(130)
    except Exception as err:  # click usage errors
        import click

        if isinstance(err, click.ClickException):
            err.show()
            sys.exit(err.exit_code)
        raise
