"""The ``framing`` command line: a thin layer over :mod:`framing.api`."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from . import api
from .lexicon import FRAMES, LexiconError, load_lexicon

app = typer.Typer(help="Arabic-first media-framing analyzer: frames and voice for every sentence.",
                  no_args_is_help=True, add_completion=False)
lexicon_app = typer.Typer(help="Check and inspect lexicons.", no_args_is_help=True)
app.add_typer(lexicon_app, name="lexicon")
console = Console(stderr=True)
out = Console()

LexiconOpt = typer.Option(None, "--lexicon", "-l", help="Lexicon YAML (default: the bundled coalition lexicon).")


def _fail(message: str, code: int = 2) -> None:
    console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


@app.command()
def analyze(
    paths: list[Path] = typer.Argument(..., help="Article files (.txt) or folders of them."),
    output: Path = typer.Option(Path("reports/out"), "--output", "-o", help="Results folder to write."),
    lexicon: Optional[Path] = LexiconOpt,
    bom: bool = typer.Option(True, "--bom/--no-bom", help="Write CSV as UTF-8 with BOM (Excel reads Arabic)."),
    strict: bool = typer.Option(False, "--strict", help="Exit non-zero when any input was skipped."),
) -> None:
    """Score every sentence of the articles and write sentences.csv, articles.csv, hits.csv, summary.json."""
    try:
        with console.status("scoring…") as status:
            res = api.analyze(paths, lexicon=lexicon, progress=lambda n: status.update(f"scoring… {n} documents"))
    except (LexiconError, FileNotFoundError) as exc:
        _fail(str(exc))
    res.save(output, bom=bom)
    _print_profile(res)
    for row in res.skipped.to_dict("records"):
        console.print(f"[yellow]skipped[/] {row['path']} ({row['location']}): {row['reason']}")
    c = res.meta["counts"]
    console.print(f"{c['documents']} documents, {c['sentences']} sentences, {c['skipped']} skipped → {output}/")
    if strict and c["skipped"]:
        raise typer.Exit(1)


def _print_profile(res) -> None:
    table = Table(title="Frame profile", title_justify="left")
    for col in ("frame", "sentences", "share", "mean score", "authorial", "official", "other_source"):
        table.add_column(col, justify="left" if col == "frame" else "right")
    for r in res.profile().to_dict("records"):
        table.add_row(r["frame"], str(r["sentences"]), f"{r['share']:.1%}", f"{r['mean_score']:.3f}",
                      str(r["authorial"]), str(r["official"]), str(r["other_source"]))
    out.print(table)


@app.command()
def explain(
    text: str = typer.Argument(..., help="One sentence."),
    lexicon: Optional[Path] = LexiconOpt,
    as_json: bool = typer.Option(False, "--json", help="Print the record as JSON."),
) -> None:
    """Show a sentence's frame scores, labels, voice and the cue words behind them."""
    try:
        s = api.explain(text, lexicon)
    except LexiconError as exc:
        _fail(str(exc))
    if as_json:
        out.print_json(json.dumps(s.to_dict(), ensure_ascii=False))
        return
    out.print(f"[bold]{text}[/]")
    out.print(f"voice: [bold]{s.voice}[/]" + (f"  (cue: «{s.voice_cue}»)" if s.voice_cue else "  (no attribution)"))
    table = Table()
    for col in ("frame", "score", "label", "hits"):
        table.add_column(col)
    for f in FRAMES:
        hits = [h for h in s.hits if h.frame == f]
        desc = "\n".join(f"«{h.text}» ({h.term}) w={h.weight:g}" + (" negated" if h.negated else "")
                         + (f" [{h.rule}]" if h.rule else "") for h in hits)
        table.add_row(f, f"{s.scores[f]:.3f}", "yes" if f in s.labels else "", desc)
    out.print(table)


@app.command()
def score(
    file: str = typer.Argument(..., help="JSON Lines of {\"id\": …, \"text\": …}, or - for standard input."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write JSON Lines here (default: stdout)."),
    lexicon: Optional[Path] = LexiconOpt,
) -> None:
    """Score pre-split sentences; one JSON line out per input line, in input order."""
    try:
        src = sys.stdin if file == "-" else open(file, encoding="utf-8-sig")
    except OSError as exc:
        _fail(f"cannot read {file}: {exc.strerror}")
    sink = open(output, "w", encoding="utf-8") if output else sys.stdout
    errors = 0
    try:
        for rec in api.score_records(src, lexicon, source="<stdin>" if file == "-" else file):
            if "error" in rec:
                errors += 1
                console.print(f"[red]error:[/] {rec['error']}")
            sink.write(json.dumps(rec, ensure_ascii=False) + "\n")
    except LexiconError as exc:
        _fail(str(exc))
    finally:
        if output:
            sink.close()
    if errors:
        console.print(f"{errors} malformed line(s); their results carry an 'error' field")
        raise typer.Exit(1)


@lexicon_app.command("check")
def lexicon_check(file: Optional[Path] = typer.Argument(None, help="Lexicon YAML (default: bundled).")) -> None:
    """Validate a lexicon file: YAML, frames, weights, duplicates, terms that cannot match."""
    try:
        lex = load_lexicon(file)
    except LexiconError as exc:
        _fail(str(exc), 1)
    counts = {f: len(lex.frame_entries(f)) for f in FRAMES}
    cues = len([e for e in lex.entries if e.cue])
    out.print(f"{lex.path}: ok — {lex.name} {lex.version}, "
              + ", ".join(f"{f} {n}" for f, n in counts.items()) + f", cues {cues}")


if __name__ == "__main__":
    app()
