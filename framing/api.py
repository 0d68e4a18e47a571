"""The Python API: what the CLI and the notebooks call."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from . import __version__, rules
from .aggregate import (
    article_row,
    articles_frame,
    hit_rows,
    hits_frame,
    sentence_rows,
    sentences_frame,
)
from .corpus import Document, Skipped, make_document, read_corpus
from .lexicon import FRAMES, Lexicon, load_lexicon
from .results import Results
from .score import LexiconScorer, SentenceScore

RULE_CONSTANTS = [n for n in dir(rules) if n.isupper() and isinstance(getattr(rules, n), (int, float))]


def scorer(lexicon: str | Path | Lexicon | None = None, thresholds: dict[str, float] | None = None) -> LexiconScorer:
    """A scorer for a lexicon file (default: the bundled coalition lexicon)."""
    lex = lexicon if isinstance(lexicon, Lexicon) else load_lexicon(lexicon)
    return LexiconScorer(lex, thresholds)


def analyze(
    inputs: str | Path | Iterable[str | Path] | pd.DataFrame | Iterable[Document],
    lexicon: str | Path | Lexicon | None = None,
    thresholds: dict[str, float] | None = None,
    text_column: str = "text",
    id_column: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Results:
    """Score every sentence of the inputs and aggregate per article.

    ``inputs``: a file or folder path, a list of them, a list of
    :class:`~framing.corpus.Document`, or a DataFrame with a text column
    (``text_column``; optional ``title``, ``date``, ``source`` and an id column).
    Unreadable items are listed in ``Results.skipped`` and the run goes on.
    """
    sc = scorer(lexicon, thresholds)
    sentences, hits, articles, skipped = [], [], [], []
    n_docs = 0
    for item in _documents(inputs, text_column, id_column):
        if isinstance(item, Skipped):
            skipped.append(asdict(item))
            continue
        scored = sc.score_document(item)
        sentences.extend(sentence_rows(item, scored))
        hits.extend(hit_rows(scored))
        articles.append(article_row(item, scored))
        n_docs += 1
        if progress:
            progress(n_docs)
    res = Results(sentences_frame(sentences), articles_frame(articles), hits_frame(hits),
                  pd.DataFrame(skipped, columns=["path", "location", "reason"]))
    res.meta = run_record(sc, res)
    return res


def run_record(sc: LexiconScorer, res: Results) -> dict:
    """What ``summary.json`` records: software, lexicon, settings, counts and the frame profile."""
    lex = sc.lexicon
    prof = res.profile()
    return {
        "software": {"name": "framing", "version": __version__},
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "model": "lexicon",
        "lexicon": {"name": lex.name, "version": lex.version, "path": lex.path,
                    "sha256": hashlib.sha256(Path(lex.path).read_bytes()).hexdigest(), "entries": len(lex.entries)},
        "settings": {"thresholds": sc.thresholds,
                     "rules": {n: getattr(rules, n) for n in RULE_CONSTANTS}},
        "counts": {"documents": len(res.articles), "sentences": len(res.sentences), "hits": len(res.hits),
                   "skipped": len(res.skipped)},
        "frames": {r["frame"]: {"sentences": int(r["sentences"]), "share": round(float(r["share"]), 4)}
                   for r in prof.to_dict("records")},
        "voices": {str(k): int(v) for k, v in res.sentences["voice"].value_counts().items()},
    }


def _documents(inputs, text_column: str, id_column: str | None) -> Iterator[Document | Skipped]:
    if isinstance(inputs, pd.DataFrame):
        yield from documents_from_frame(inputs, text_column, id_column)
        return
    if isinstance(inputs, (str, Path)):
        inputs = [inputs]
    items = list(inputs)
    if all(isinstance(i, Document) for i in items):
        yield from items
        return
    yield from read_corpus(items)


def documents_from_frame(df: pd.DataFrame, text_column: str = "text", id_column: str | None = None) -> Iterator[Document | Skipped]:
    """Documents from a DataFrame of texts the researcher already has."""
    if text_column not in df.columns:
        raise KeyError(f"no column {text_column!r} in the DataFrame (columns: {', '.join(map(str, df.columns))})")
    if id_column and id_column not in df.columns:
        raise KeyError(f"no id column {id_column!r} in the DataFrame")
    for i, row in enumerate(df.to_dict("records")):
        text = row.get(text_column)
        doc_id = str(row[id_column]) if id_column else str(df.index[i])
        if not isinstance(text, str) or not text.strip():
            yield Skipped("<DataFrame>", f"row {i} (id {doc_id})", f"empty or missing {text_column!r}")
            continue
        title = row.get("title") if isinstance(row.get("title"), str) else None
        yield make_document(doc_id, text, title=title, date=_str(row.get("date")), source=_str(row.get("source")))


def _str(v) -> str | None:
    return None if v is None or (isinstance(v, float) and v != v) else str(v)


def explain(text: str, lexicon: str | Path | Lexicon | None = None) -> SentenceScore:
    """Score one sentence and return the full record (scores, labels, voice, hits)."""
    return scorer(lexicon).score_text(text)


def score_records(lines: Iterable[str], lexicon: str | Path | Lexicon | None = None,
                  source: str = "<stdin>") -> Iterator[dict]:
    """Score pre-split sentences given as JSON Lines ``{"id": …, "text": …}``, one result per input line.

    A malformed line yields ``{"line": n, "error": "<source>:<n>: …"}`` in its place, so the
    output stays aligned with the input and nothing else is lost. Blank lines are skipped.
    """
    sc = scorer(lexicon)
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            yield {"line": n, "error": f"{source}:{n}: not valid JSON ({exc.msg} at column {exc.colno})"}
            continue
        if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
            yield {"line": n, "id": rec.get("id") if isinstance(rec, dict) else None,
                   "error": f"{source}:{n}: expected an object with a string field 'text'"}
            continue
        s = sc.score_text(rec["text"], doc_id=str(rec.get("id", n)))
        yield {"id": rec.get("id", n), "scores": s.scores, "labels": s.labels, "voice": s.voice,
               "voice_cue": s.voice_cue, "hits": [asdict(h) for h in s.hits]}


__all__ = ["analyze", "explain", "score_records", "scorer", "FRAMES"]
