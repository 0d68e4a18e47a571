"""``framing train``, ``framing evaluate`` and ``framing annotate``: the classifier and its validation."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import numpy as np
import pandas as pd
import typer
from rich.table import Table

from .cli import _fail, app, console, out
from .gold import GoldError
from .lexicon import FRAMES, LexiconError

LabelFieldOpt = typer.Option(None, "--label-field", help="Train/evaluate a single-label classifier on this field "
                             "(e.g. ArAIEval's 'label') instead of the frame schema.")


def _df_table(df: pd.DataFrame, title: str) -> Table:
    table = Table(title=title, title_justify="left")
    cols = [c for c in df.columns]
    for c in cols:
        table.add_column(str(c), justify="left" if df[c].dtype == object else "right")
    for row in df.itertuples(index=False):
        table.add_row(*[f"{v:.3f}" if isinstance(v, (float, np.floating)) else str(v) for v in row])
    return table


def _read_labelled(paths: list[Path], field: str) -> tuple[list[str], list[str]]:
    from .gold import gold_files, read_jsonl

    texts, labels = [], []
    for p in gold_files(paths):
        for n, rec in enumerate(read_jsonl(p), 1):
            if not isinstance(rec.get("text"), str) or field not in rec:
                raise GoldError(f"{p}:{n}: needs a string 'text' and a {field!r} field")
            texts.append(rec["text"])
            labels.append(str(rec[field]))
    return texts, labels


@app.command()
def train(
    gold: list[Path] = typer.Argument(..., help="Gold JSONL files (or folders of them)."),
    output: Path = typer.Option(..., "--output", "-o", help="Model folder to write."),
    label_field: Optional[str] = LabelFieldOpt,
    lexicon: Optional[Path] = typer.Option(None, "--lexicon", "-l"),
    evaluation: Optional[Path] = typer.Option(
        None, "--evaluation", help="evaluation.json of `framing evaluate` on the same gold: kept in model.json, "
                                   "shown in reports and summary.json."),
) -> None:
    """Train the frame and voice classifiers on gold sentences and save them (skops + model.json)."""
    from .classify import LabelClassifier
    from .evaluate import evaluation_block
    from .model import LabelModel, save_model, train_from_gold

    try:
        block = None
        if evaluation is not None:
            try:
                block = evaluation_block(json.loads(evaluation.read_text(encoding="utf-8")), str(evaluation))
            except (OSError, json.JSONDecodeError) as exc:
                _fail(f"--evaluation {evaluation}: {exc}")
            except ValueError as exc:  # names the file already
                _fail(str(exc))
        if label_field:
            texts, labels = _read_labelled(gold, label_field)
            clf = LabelClassifier(use_lexicon=False).fit(pd.DataFrame({"text": texts}), np.array(labels))
            model = LabelModel(clf, {"label_field": label_field, "n_texts": len(texts),
                                     "trained_on": [str(p) for p in gold]})
        else:
            with console.status("training (grouped cross-validation for thresholds)…"):
                model = train_from_gold(gold, lexicon)
            if block:
                model.meta["evaluation"] = block
    except (GoldError, LexiconError, FileNotFoundError) as exc:
        _fail(str(exc))
    save_model(model, output)
    console.print(f"model saved to {output}/")
    if not label_field:
        m = model.meta["oof_metrics"]
        console.print(f"out-of-fold macro-F1 {m['macro_f1']:.3f}; voice from {model.meta['voice_from']} "
                      f"(accuracy {max(m['voice_accuracy_classifier'], m['voice_accuracy_lexicon']):.3f})")


@app.command()
def evaluate(
    gold: list[Path] = typer.Argument(..., help="Gold JSONL files (or folders of them)."),
    model: Optional[Path] = typer.Option(None, "--model", "-m", help="Score a saved model on this data instead of "
                                         "cross-validating (use data it was not trained on)."),
    output: Path = typer.Option(Path("reports/evaluation"), "--output", "-o", help="Folder for evaluation files."),
    folds: int = typer.Option(5, "--folds", help="Grouped K-fold splits (no article in both train and test)."),
    label_field: Optional[str] = LabelFieldOpt,
) -> None:
    """Precision, recall, F1, macro-F1, voice accuracy, Brier score and frame confusion under grouped CV."""
    from . import evaluate as ev_mod
    from .model import ModelError

    output.mkdir(parents=True, exist_ok=True)
    try:
        if label_field:
            _evaluate_labels(gold, model, label_field, output)
            return
        if model is not None:
            _evaluate_saved(gold, model, output)
            return
        with console.status(f"grouped {folds}-fold cross-validation of lexicon, classifier and combined…"):
            table, y, voice, groups, _ = ev_mod.gold_table(gold)
            ev = ev_mod.cross_validate_gold(table, y, voice, groups, n_splits=folds)
    except (GoldError, ModelError, FileNotFoundError) as exc:
        _fail(str(exc))
    tables = ev_mod.report_tables(ev)
    out.print(f"{len(y)} sentences, {ev.n_groups} articles, grouped {folds}-fold cross-validation")
    short = {"macro_f1": "macro F1", "micro_f1": "micro F1", "min_frame_f1": "min F1", "brier_mean": "Brier",
             "voice_accuracy": "voice acc", "voice_macro_f1": "voice F1"}
    out.print(_df_table(tables["summary"].rename(columns=short), "Summary"))
    out.print(_df_table(tables["f1"].reset_index(), "F1 per frame"))
    abbrev = {f: "".join(w[0] for w in f.split("_")) for f in FRAMES}
    conf = tables["confusion"].rename(columns=abbrev).rename(index=abbrev).reset_index()
    out.print(_df_table(conf.rename(columns={"index": "gold"}), "Combined: frames predicted for the sentences of "
                        "each gold frame (" + ", ".join(f"{v}={k}" for k, v in abbrev.items()) + ")"))
    lex_th = dict(zip(FRAMES, map(float, ev.lexicon_thresholds)))
    out.print("Lexicon thresholds that maximize F1 on all these sentences (the lexicon row above chose them "
              "on the training folds); to use them, set `threshold:` per frame in the lexicon file: "
              + ", ".join(f"{abbrev[f]} {t:.2f}" for f, t in lex_th.items()))
    for name, df in tables.items():
        df.to_csv(output / f"{name}.csv", index=name in ("f1", "confusion"))
    (output / "evaluation.json").write_text(json.dumps(
        {"sentences": int(len(y)), "articles": int(ev.n_groups), "folds": folds, "lexicon_thresholds": lex_th,
         # unrounded: reports round once, so the PDF and docs/validation.md print the same figures
         "summary": tables["summary"].to_dict("records"),
         "f1": tables["f1"].to_dict(), "confusion": tables["confusion"].to_dict()},
        ensure_ascii=False, indent=2), encoding="utf-8")
    console.print(f"tables written to {output}/")


def _evaluate_saved(gold: list[Path], model_dir: Path, output: Path) -> None:
    from .evaluate import evaluate_saved
    from .model import load_model

    summary, per_frame, n_articles = evaluate_saved(load_model(model_dir), gold)
    out.print(f"Saved model {model_dir} on {summary['sentences'].iloc[0]} sentences of {n_articles} articles; "
              f"voice accuracy {summary['voice_accuracy'].iloc[0]:.3f}")
    out.print(_df_table(summary.drop(columns=["sentences", "voice_accuracy"]),
                        "Summary (sentences with any frame: labelled by the model, coded by people)"))
    for name, df in per_frame.groupby("rule", sort=False):
        out.print(_df_table(df.drop(columns="rule"), f"Per frame, {name}"))
    per_frame.to_csv(output / "saved_model_per_frame.csv", index=False)
    summary.to_csv(output / "saved_model_summary.csv", index=False)


def _evaluate_labels(gold: list[Path], model_dir: Optional[Path], field: str, output: Path) -> None:
    from sklearn.metrics import f1_score

    from .model import LabelModel, ModelError, load_model

    if model_dir is None:
        raise GoldError("--label-field evaluation needs --model (train with: framing train ... --label-field)")
    mdl = load_model(model_dir)
    if not isinstance(mdl, LabelModel):
        raise ModelError(f"{model_dir}: a frame model; --label-field needs a label model")
    texts, labels = _read_labelled(gold, field)
    pred = mdl.predict(texts)
    res = {"texts": len(texts), "micro_f1": round(float(f1_score(labels, pred, average="micro")), 4),
           "macro_f1": round(float(f1_score(labels, pred, average="macro")), 4),
           "per_class_f1": dict(zip(sorted(set(labels)), np.round(f1_score(labels, pred, average=None,
                                                                       labels=sorted(set(labels))), 4).tolist()))}
    out.print_json(json.dumps(res, ensure_ascii=False))
    (output / "label_evaluation.json").write_text(json.dumps(res, indent=2), encoding="utf-8")


@app.command()
def annotate(
    action: str = typer.Argument(..., help="'export' a sheet to code, or 'import' a coded sheet."),
    path: Path = typer.Argument(..., help="export: results folder of framing analyze; import: the coded sheet."),
    output: Path = typer.Option(..., "--output", "-o", help="export: sheet (.csv or .jsonl); import: gold JSONL."),
    n: int = typer.Option(200, "--n", help="Sentences to export."),
    strategy: str = typer.Option("uncertain", "--strategy", help="'uncertain' (closest to the thresholds first: "
                                 "active learning) or 'stratified' (equal numbers per predicted frame and none)."),
    seed: int = typer.Option(0, "--seed"),
) -> None:
    """Export sentences for human coding, or read a coded sheet back as gold JSONL (validating names)."""
    from .annotate import export_sheet, import_sheet

    try:
        if action == "export":
            k = export_sheet(path, output, n=n, strategy=strategy, seed=seed)
            console.print(f"{k} sentences written to {output}: fill 'frames' (frame names separated by ';') and 'voice'")
        elif action == "import":
            k = import_sheet(path, output)
            console.print(f"{k} coded sentences written to {output}")
        else:
            raise GoldError(f"unknown action {action!r}: use export or import")
    except (GoldError, FileNotFoundError) as exc:
        _fail(str(exc))
