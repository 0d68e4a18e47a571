"""The ``framing`` command line: a thin layer over :mod:`framing.api`."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import NoReturn, Optional

import typer
from rich.console import Console
from rich.table import Table

from . import api, workbench
from .lexicon import FRAMES, LexiconError, load_lexicon
from .rules import SCOPE_CUES
from .text import ARABIC_MIN_SHARE

app = typer.Typer(help="Arabic-first media-framing analyzer: frames and voice for every sentence.",
                  no_args_is_help=True, add_completion=False)
lexicon_app = typer.Typer(help="Check and inspect lexicons.", no_args_is_help=True)
app.add_typer(lexicon_app, name="lexicon")
console = Console(stderr=True)
out = Console()

LexiconOpt = typer.Option(None, "--lexicon", "-l", help="Lexicon YAML (default: the bundled coalition lexicon).")


def _fail(message: str, code: int = 2) -> NoReturn:
    console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


@app.command()
def analyze(
    paths: list[Path] = typer.Argument(..., help="Files or folders: .txt, .json, .jsonl, .csv/.tsv, TREC .xml, "
                                        "and .zip/.gz of them."),
    output: Path = typer.Option(Path("reports/out"), "--output", "-o", help="Results folder to write."),
    lexicon: Optional[Path] = LexiconOpt,
    bom: bool = typer.Option(True, "--bom/--no-bom", help="Write CSV as UTF-8 with BOM (Excel reads Arabic)."),
    strict: bool = typer.Option(False, "--strict", help="Exit non-zero when any input was skipped."),
    report: bool = typer.Option(True, "--report/--no-report", help="Also write report.pdf and figures/ there."),
    # corpus scale (framing/pipeline.py, framing/readers.py)
    jobs: int = typer.Option(0, "--jobs", "-j", help="Worker processes (default 0: all cores; 1: this process)."),
    engine: str = typer.Option("local", "--engine", help="local (processes on this machine) or dask."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="dask.distributed scheduler address "
                                            "(tcp://host:8786); without it --engine dask starts a local cluster."),
    resume: bool = typer.Option(False, "--resume", help="Continue an interrupted run into the same folder: "
                                "finished shards are kept, not scored again."),
    drop_duplicates: bool = typer.Option(False, "--drop-duplicates", help="Leave near-duplicate articles "
                                         "(flagged in articles' duplicate_of) out of every table."),
    field: Optional[list[str]] = typer.Option(None, "--field", help="Name a record field: FIELD=NAME, e.g. "
                                              "--field text=body --field id=key (fields: text, title, date, "
                                              "source, id)."),
    outlets: Optional[Path] = typer.Option(None, "--outlets", help="Outlet aliases YAML (default: the bundled "
                                           "framing/data/outlets.yaml)."),
    csv_tables: Optional[bool] = typer.Option(None, "--csv/--no-csv", help="Also write sentences/articles/hits "
                                              "as CSV (default: when the run has at most 100,000 sentences). "
                                              "Parquet is always written."),
    lexicon_only: bool = typer.Option(False, "--lexicon-only", help="Do not use the trained classifier."),
    model: Optional[Path] = typer.Option(None, "--model", "-m", help="A model folder from framing train "
                                         "(default: the bundled model)."),
    scope_rule: bool = typer.Option(True, "--scope-rule/--no-scope-rule", help="Give no campaign frame to "
                                    "articles that never name ISIS, terrorism or the international coalition "
                                    "(codebook P22; the lexicon's scope terms)."),
    shard_docs: int = typer.Option(256, "--shard-docs", help="Documents per shard (the unit of work and of "
                                   "--resume)."),
) -> None:
    """Score every sentence of the articles: Parquet tables (sentences/, articles/, hits/), CSV for small runs,
    skipped.csv and summary.json."""
    from . import pipeline

    try:
        run = pipeline.run_corpus(paths, output, lexicon=lexicon, model=False if lexicon_only else model, jobs=jobs,
                                  engine=engine, scheduler=scheduler, resume=resume, drop_duplicates=drop_duplicates,
                                  fields=field, outlets=outlets, write_csv=csv_tables, bom=bom,
                                  shard_docs=max(1, shard_docs), scope_rule=scope_rule)
    except (LexiconError, FileNotFoundError, pipeline.RunError, ValueError) as exc:  # ModelError is a ValueError
        _fail(str(exc))
    except KeyboardInterrupt:
        console.print(f"[yellow]interrupted[/]: finished shards are kept in {output}/; "
                      f"run the same command with --resume to continue")
        raise typer.Exit(130)
    _print_profile(run)
    for row in run.skipped[:20]:
        console.print(f"[yellow]skipped[/] {row['path']} ({row['location']}): {row['reason']}", soft_wrap=True)
    c = run.counts
    if c["skipped"] > 20:
        console.print(f"… and {c['skipped'] - 20} more skipped, all in {output}/skipped.csv")
    dup = f", {c['duplicates']} near-duplicates" + (" dropped" if drop_duplicates else "") if c["duplicates"] else ""
    console.print(f"{c['documents']} documents, {c['sentences']} sentences, {c['skipped']} skipped{dup} "
                  f"in {run.summary['run']['seconds']:.1f} s → {output}/")
    if c.get("not_arabic"):
        console.print(f"[yellow]warning[/]: {c['not_arabic']} of {c['documents']} documents are mostly not in Arabic "
                      f"script (column arabic_share of the articles table is under {ARABIC_MIN_SHARE}): the lexicon "
                      f"and model read Arabic, so their scores there do not measure the frames.", soft_wrap=True)
    if c.get("renamed_ids"):
        console.print(f"[yellow]note[/]: {c['renamed_ids']} documents repeated the id of an earlier one and were "
                      f"renamed ID#2, ID#3… in reading order, so that each doc_id names one article", soft_wrap=True)
    if c.get("out_of_scope") or c.get("scope_violence_only"):
        console.print(f"scope (codebook P22): {c['out_of_scope']} documents name neither the campaign nor armed "
                      f"violence (no frame counted) and {c['scope_violence_only']} only armed violence (civilian_harm "
                      f"only); column scope of the articles table", soft_wrap=True)
    if report:
        _build_report(output, output / "report.pdf")
    if strict and c["skipped"]:
        raise typer.Exit(1)


@app.command("report")
def report_cmd(
    results: Path = typer.Argument(..., help="A results folder written by framing analyze."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="PDF to write (default: RESULTS/report.pdf)."),
    doc_id: Optional[str] = typer.Option(None, "--article", help="Report on this one article (its doc_id)."),
    scope: Optional[str] = typer.Option(None, "--scope", help="Only the articles inside the campaign's coverage "
                                        "(codebook P22), so that shares count their sentences alone: 'campaign' "
                                        "(they name ISIS, terrorism or the coalition) or 'violence' (also those "
                                        "naming armed violence only). Default PDF: RESULTS/SCOPE/report.pdf."),
) -> None:
    """Build the PDF report (and its figures, in figures/ beside it) from a results folder."""
    _build_report(results, output or (results / scope if scope else results) / "report.pdf", doc_id, scope)


def _build_report(results: Path, pdf: Path, doc_id: Optional[str] = None, scope: Optional[str] = None) -> None:
    from .report import build_report

    try:
        with console.status("writing the report…"):
            path = build_report(results, pdf, doc_id=doc_id, scope=scope)
    except (FileNotFoundError, KeyError, ValueError) as exc:
        _fail(str(exc))
    console.print(f"report → {path} (figures in {path.parent / 'figures'}/)")


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
    """Validate and lint a lexicon; exit 1 on errors, 0 with warnings.

    Errors: everything the loader refuses (YAML, frames, cue classes, weights, duplicates, terms that cannot
    match), all at once. Warnings: the same strings under two frames or cue classes, entries shadowed by
    another entry of their frame, letters normalized text never has, entries routed nowhere."""
    findings = workbench.lint_lexicon(file)
    styles = {"error": "red", "warning": "yellow", "note": "cyan"}
    for f in findings:
        out.print(str(f), style=styles[f.severity], markup=False, highlight=False, soft_wrap=True)
    n = {s: sum(f.severity == s for f in findings) for s in styles}
    if n["error"]:
        console.print(f"{n['error']} error(s), {n['warning']} warning(s)")
        raise typer.Exit(1)
    lex = load_lexicon(file)
    counts = {f: len(lex.frame_entries(f)) for f in FRAMES}
    scope = {c: sum(e.cue == c for e in lex.entries) for c in SCOPE_CUES}
    cues = sum(bool(e.cue) for e in lex.entries) - sum(scope.values())
    th = api.scorer(lex).thresholds  # the lexicon's own per-frame thresholds, the default elsewhere
    scope_text = (f", article scope (P22) {scope['scope_campaign']} campaign and {scope['scope_violence']} violence terms"
                  if lex.has_scope else ", no article scope terms (every article is open to every frame)")
    out.print(f"{lex.path}: ok — {lex.name} {lex.version}, "
              + ", ".join(f"{f} {n} (labels at {th[f]:.2f})" for f, n in counts.items()) + f", cues {cues}"
              + scope_text + f"; {n['warning']} warning(s), {n['note']} note(s)", soft_wrap=True)


# --- lexicon workbench (framing/workbench.py) ---

CorpusArg = typer.Argument(..., help="Article files (.txt, TREC <DOC> files) or folders of them.")


def _df_rich(df, title: str = "", justify: str = "left") -> Table:
    import pandas as pd

    table = Table(title=title or None, title_justify="left")
    for c in df.columns:
        table.add_column(str(c), justify="right" if df[c].dtype.kind in "if" else justify, overflow="fold")
    for row in df.itertuples(index=False):
        table.add_row(*["" if pd.isna(v) else f"{v:.3g}" if isinstance(v, float) else str(v) for v in row])
    return table


def _write_csv(df, output: Optional[Path]) -> None:
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        df.to_csv(output, index=False, encoding="utf-8-sig")
        console.print(f"{len(df)} rows → {output}")


@lexicon_app.command("stats")
def lexicon_stats(
    corpus: list[Path] = CorpusArg,
    gold: Optional[Path] = typer.Option(None, "--gold", "-g", help="Gold JSONL: adds each entry's precision."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write every entry to this CSV."),
    lexicon: Optional[Path] = LexiconOpt,
    top: int = typer.Option(30, "--top", "-n", help="Entries to show (the CSV has them all)."),
) -> None:
    """Per entry: hits in the corpus, documents, outlets, and with --gold its precision for its frame."""
    try:
        with console.status("scoring…"):
            table = workbench.entry_stats(corpus, gold=gold, lexicon=lexicon)
    except (LexiconError, FileNotFoundError, workbench.WorkbenchError) as exc:
        _fail(str(exc))
    _write_csv(table, output)
    cols = [c for c in ("frame", "term", "weight", "fires", "docs", "outlets", "gold_fires", "precision") if c in table]
    out.print(_df_rich(table.sort_values("fires", ascending=False, kind="stable").head(top)[cols],
                       f"Most frequent of {len(table)} entries"))
    if "precision" in table:
        low = table[table["gold_fires"] >= 3].sort_values(["precision", "gold_fires"], ascending=[True, False])
        out.print(_df_rich(low.head(top)[cols], "Lowest gold precision (3 gold hits or more)"))
    never = table[table["fires"] == 0]
    for frame, grp in never.groupby("frame", sort=False):
        out.print(f"never fires in the corpus, {frame} ({len(grp)}): " + "، ".join(grp["term"]), soft_wrap=True)


@lexicon_app.command("suggest")
def lexicon_suggest(
    corpus: list[Path] = CorpusArg,
    frame: str = typer.Option(..., "--frame", "-f", help=f"The frame: {', '.join(FRAMES)}."),
    gold: Optional[Path] = typer.Option(None, "--gold", "-g", help="Take the frame's sentences from these gold "
                                        "labels (default: the model's labels on the corpus)."),
    top: int = typer.Option(20, "--top", "-n", help="Candidates to list."),
    min_count: int = typer.Option(3, "--min-count", help="Least occurrences in the frame's sentences."),
    prior: float = typer.Option(workbench.DEFAULT_PRIOR, "--prior", help="Dirichlet prior: pseudo-counts per "
                                "occurrence in the background (all sentences seen)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the candidates to this CSV."),
    lexicon: Optional[Path] = LexiconOpt,
    lexicon_only: bool = typer.Option(False, "--lexicon-only", help="Without --gold: the lexicon's labels, not "
                                      "the trained model's."),
) -> None:
    """Rank words and bigrams typical of a frame, with counts, lexicon status and examples in context.

    Weighted log-odds with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008). Nothing is added
    to the lexicon."""
    try:
        with console.status("scoring…"):
            table = workbench.suggest_terms(frame, corpus, gold=gold, lexicon=lexicon, top=top,
                                            min_count=min_count, prior=prior, model=False if lexicon_only else None)
    except (LexiconError, FileNotFoundError, ValueError) as exc:
        _fail(str(exc))
    _write_csv(table, output)
    source = f"gold labels in {gold}" if gold else "the lexicon's labels" if lexicon_only else "the model's labels"
    out.print(_df_rich(table, f"Candidates for {frame} ({source})"))


@app.command()
def kwic(
    term: str = typer.Argument(..., help="A lexicon-style term: proclitics implied, * for a suffix, ~ for a gap."),
    corpus: list[Path] = CorpusArg,
    width: int = typer.Option(40, "--width", "-w", help="Characters of context on each side."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the lines to this CSV."),
    limit: Optional[int] = typer.Option(None, "--limit", help="Stop after this many lines."),
) -> None:
    """Keyword in context: every match of a term, with its left and right context (right-aligned for Arabic)."""
    try:
        lines = workbench.concordance(term, corpus, width=width, limit=limit)
    except (LexiconError, FileNotFoundError) as exc:
        _fail(str(exc))
    _write_csv(lines, output)
    longest = max((len(m) for m in lines["match"]), default=0)
    ctx = max(8, min(width, (out.width - longest - 4) // 2))
    table = Table(show_header=False, box=None, padding=(0, 1))
    table.add_column(justify="right", no_wrap=True, width=ctx)
    table.add_column(justify="center", no_wrap=True, style="bold", min_width=longest)
    table.add_column(justify="left", no_wrap=True, width=ctx)
    for r in lines.itertuples(index=False):
        table.add_row(workbench.fit_context(r.left, ctx - 1, True), r.match, workbench.fit_context(r.right, ctx - 1, False))
    out.print(table, justify="right" if workbench.is_arabic(term) else "left")
    console.print(f"{len(lines)} line(s) for «{term}»")


@lexicon_app.command("import")
def lexicon_import(
    file: Path = typer.Argument(..., help="A LIWC .dic or a quanteda YAML dictionary."),
    output: Path = typer.Option(..., "--output", "-o", help="The lexicon YAML to write."),
    frame_map: Optional[list[str]] = typer.Option(None, "--frame-map", "-m", help="CATEGORY=FRAME (repeat, or "
                                                  "comma-separate); cues.CLASS for a cue class, - to leave it out."),
    name: Optional[str] = typer.Option(None, "--name", help="Lexicon name (default: the file's stem)."),
) -> None:
    """Convert a LIWC .dic or quanteda YAML dictionary into a lexicon YAML (categories mapped to frames)."""
    try:
        mapping = workbench.parse_frame_map(i for item in frame_map or [] for i in item.split(",") if i.strip())
        lex, notes = workbench.import_dictionary(file, output, mapping, name=name)
    except (LexiconError, workbench.WorkbenchError) as exc:
        _fail(str(exc))
    for note in notes:
        console.print(note, markup=False, highlight=False, soft_wrap=True)
    counts = {f: len(lex.frame_entries(f)) for f in FRAMES if lex.frame_entries(f)}
    out.print(f"{output}: " + ", ".join(f"{f} {n}" for f, n in counts.items())
              + f", cues {len([e for e in lex.entries if e.cue])}", soft_wrap=True)


@lexicon_app.command("export")
def lexicon_export(
    file: Optional[Path] = typer.Argument(None, help="Lexicon YAML (default: bundled)."),
    output: Path = typer.Option(..., "--output", "-o", help="OUT.dic (LIWC) or OUT.yml (quanteda)."),
    cues: bool = typer.Option(False, "--cues", help="Export the cue classes too, as categories cues.CLASS."),
) -> None:
    """Write a lexicon as a LIWC .dic or a quanteda YAML dictionary (frames become categories)."""
    try:
        notes = workbench.export_dictionary(file, output, cues=cues)
    except (LexiconError, workbench.WorkbenchError) as exc:
        _fail(str(exc))
    for note in notes:
        console.print(note, markup=False, highlight=False, soft_wrap=True)
    out.print(f"wrote {output}")


from . import cli_validation  # noqa: E402,F401  (registers train, evaluate, annotate)


if __name__ == "__main__":
    app()
