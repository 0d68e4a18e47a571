"""The Python API: what the CLI and the notebooks call."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from . import __version__, rules
from .aggregate import (
    LABEL_KEYS,
    SCORE_KEYS,
    Columns,
    apply_scope,
    article_flags,
    article_row,
    articles_frame,
    hit_columns,
    hits_frame,
    labels_text,
    sentence_columns,
    sentences_frame,
)
from .corpus import Document, Skipped, UniqueIds, read_corpus
from .lexicon import FRAMES, Lexicon, load_lexicon
from .readers import DEFAULT_FIELDS, ReadOptions, record_document
from .rules import article_scope
from .results import Results
from .score import LexiconScorer, SentenceScore
from .text import Normalized, TextBatch, Tokens, arabic_shares, normalize

if TYPE_CHECKING:  # the model module imports scikit-learn (~1.5 s): only loaded when a model is used
    from .model import Model

ANALYZE_BATCH = 64  # documents per score_batch call in analyze()
COLUMNS_EVERY = 16  # score_batch puts the scored sentences of this many documents at a time into columns (the
#                     sentence objects then go: held for a whole batch, they make the garbage collector work)
RULE_CONSTANTS = [n for n in dir(rules)  # the rules' knobs, recorded with each run (not their private constants)
                  if n.isupper() and not n.startswith("_") and isinstance(getattr(rules, n), (int, float))]


def scorer(lexicon: str | Path | Lexicon | None = None, thresholds: dict[str, float] | None = None,
           scope_rule: bool = True) -> LexiconScorer:
    """A scorer for a lexicon file (default: the bundled coalition lexicon); ``scope_rule=False`` leaves every
    article open to every frame (codebook P22 not applied)."""
    lex = lexicon if isinstance(lexicon, Lexicon) else load_lexicon(lexicon)
    return LexiconScorer(lex, thresholds, scope_rule)


def resolve_model(model: str | Path | Model | bool | None) -> Model | None:
    """``None``/``True``: the bundled model if installed; ``False``: lexicon only; a path or a Model: that one."""
    if model is False:
        return None
    from .model import Model, ModelError, default_model, load_model

    if model is None or model is True:
        return default_model()
    model = model if isinstance(model, Model) else load_model(model)
    if not isinstance(model, Model):
        raise ModelError(f"{model.meta.get('task')!r} model: analyze needs a frame model (framing train GOLD...)")
    return model


@dataclass
class Batch:
    """The rows one group of documents contributes to the results: the sentences and hits tables column
    by column (:data:`~framing.aggregate.SENTENCE_COLUMNS`, :data:`~framing.aggregate.HIT_COLUMNS`), one
    dict per article."""

    sentences: Columns = field(default_factory=dict)
    hits: Columns = field(default_factory=dict)
    articles: list[dict] = field(default_factory=list)

    def extend(self, other: Batch) -> None:
        for mine, theirs in ((self.sentences, other.sentences), (self.hits, other.hits)):
            for c, values in theirs.items():
                mine.setdefault(c, []).extend(values)
        self.articles += other.articles


def score_batch(docs: Iterable[Document], sc: LexiconScorer, model: Model | None = None,
                norms: Sequence[Normalized] | None = None, text: TextBatch | None = None) -> Batch:
    """Score documents: lexicon and rules per sentence, then (with a model) the classifiers' fused scores.

    With a model, ``score_<frame>``/``label_<frame>`` are the classifier's calibrated probabilities
    (it takes the lexicon's scores and voice as features) against its per-frame thresholds;
    ``lexicon_<frame>``/``lexicon_voice`` and the hits keep the lexicon's own evidence. ``norms``: each
    document's :func:`~framing.text.normalize`, and ``text``, :meth:`TextBatch.of <framing.text.TextBatch.of>`
    of their texts, when the caller has them.
    """
    docs = list(docs)
    norms = norms if norms is not None else [normalize(d.text) for d in docs]
    if text is None:  # tokenized once, for the lexicon and the classifier
        text = TextBatch.of([n.text for n in norms])
    out = Batch(sentence_columns([], []), hit_columns([]))
    sizes: list[tuple[int, int, int]] = []  # per document: sentences, hits, words
    scopes: list[tuple[str, str]] = []
    scoring = sc.score_documents(docs, norms, text)
    for lo in range(0, len(docs), COLUMNS_EVERY):
        part = docs[lo:lo + COLUMNS_EVERY]
        scored = list(islice(scoring, len(part)))
        out.extend(Batch(sentence_columns(part, scored), hit_columns(scored)))
        for doc_scored in scored:
            sizes.append((len(doc_scored), sum(len(s.hits) for s in doc_scored), sum(s.n_words for s in doc_scored)))
            scopes.append(article_scope([(s.scope, s.scope_words) for s in doc_scored]) if sc.checks_scope else ("", ""))
    if model is not None and out.sentences["doc_id"]:
        # one prediction for the whole batch: the features are the sentence's and its article's, and an
        # article is never split between batches, so this equals predicting article by article
        apply_model(out.sentences, model, [i for i, (n, _, _) in enumerate(sizes) for _ in range(n)],
                    text.sentence_tokens())
    rows = hit_rows = range(0)
    for doc, (n, n_hits, n_words), (scope, words), arabic in zip(docs, sizes, scopes,
                                                                  arabic_shares([d.text for d in docs])):
        rows, hit_rows = range(rows.stop, rows.stop + n), range(hit_rows.stop, hit_rows.stop + n_hits)
        apply_scope(out.sentences, out.hits, rows, hit_rows, scope)
        art = article_row(doc, out.sentences, rows, n_words, arabic)
        art.update(n_hits=n_hits, scope=scope, scope_words=words)
        out.articles.append(art)
    return out


def apply_model(sentences: Columns, model: Model, articles: list[int], tokens: Tokens | None = None) -> None:
    """Put the classifier's probabilities, labels and voice into the lexicon's sentence columns (in place).
    ``articles``: each row's article (by position: document ids may repeat in a corpus); ``tokens``: the
    sentences' words, when the caller has them."""
    from .features import ARTICLE_COLUMN, INPUT_COLUMNS

    # not the other columns; strings as Python objects: pandas would copy them into Arrow, to be read back
    table = pd.DataFrame({c: pd.Series(sentences[c], dtype=object) if c in ("text", "voice") else sentences[c]
                          for c in INPUT_COLUMNS})
    proba, labels, voice = model.predict(table.assign(**{ARTICLE_COLUMN: articles}), tokens)
    flags = labels.astype(bool)
    for j, (score, label) in enumerate(zip(SCORE_KEYS, LABEL_KEYS)):
        sentences[score] = np.round(proba[:, j], 4).tolist()
        sentences[label] = flags[:, j].tolist()
    sentences["labels"] = labels_text(flags)
    sentences["voice"] = voice.tolist()


def analyze(
    inputs: str | Path | Iterable[str | Path] | pd.DataFrame | Iterable[Document],
    lexicon: str | Path | Lexicon | None = None,
    model: str | Path | Model | bool | None = None,
    thresholds: dict[str, float] | None = None,
    text_column: str = "text",
    id_column: str | None = None,
    progress: Callable[[int], None] | None = None,
    scope_rule: bool = True,
) -> Results:
    """Score every sentence of the inputs and aggregate per article.

    ``inputs``: a file or folder path, a list of them, a list of
    :class:`~framing.corpus.Document`, or a DataFrame with a text column
    (``text_column``; optional ``title``, ``date``, ``source`` and an id column).
    ``model``: the bundled classifier by default, ``False`` for lexicon only, or a model folder.
    ``scope_rule``: ``False`` does not apply the article-scope rule (codebook P22).
    Unreadable items are listed in ``Results.skipped`` and the run goes on.
    """
    sc = scorer(lexicon, thresholds, scope_rule)
    mdl = resolve_model(model)
    total, skipped = Batch(), []
    pending: list[Document] = []

    def flush() -> None:
        total.extend(score_batch(pending, sc, mdl))
        pending.clear()
        if progress:
            progress(len(total.articles))

    unique = UniqueIds()
    for item in _documents(inputs, text_column, id_column):
        if isinstance(item, Skipped):
            skipped.append(asdict(item))
            continue
        pending.append(unique(item))
        if len(pending) >= ANALYZE_BATCH:  # the classifier predicts a batch at once (same results, faster)
            flush()
    if pending:
        flush()
    res = Results(sentences_frame(total.sentences), articles_frame(total.articles), hits_frame(total.hits),
                  pd.DataFrame(skipped, columns=["path", "location", "reason"]))
    res.meta = run_record(sc, res, mdl)
    res.meta["counts"]["renamed_ids"] = unique.renamed
    return res


def run_record(sc: LexiconScorer, res: Results, model: Model | None = None) -> dict:
    """What ``summary.json`` records: software, lexicon, model, settings, counts and the frame profile."""
    counts = {"documents": len(res.articles), "sentences": len(res.sentences), "hits": len(res.hits),
              "skipped": len(res.skipped), **article_flags(res.articles)}
    voices = {str(k): int(v) for k, v in res.sentences["voice"].value_counts().items()}
    return run_record_from(sc, model, res.profile(), counts, voices)


def run_record_from(sc: LexiconScorer, model: Model | None, prof: pd.DataFrame, counts: dict, voices: dict) -> dict:
    """:func:`run_record` from a profile and counts aggregated elsewhere (corpus runs aggregate from disk)."""
    lex = sc.lexicon
    record = {
        "software": {"name": "framing", "version": __version__},
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "model": "lexicon+classifier" if model else "lexicon",
        "lexicon": {"name": lex.name, "version": lex.version, "path": lex.path,
                    "sha256": lex.sha256, "entries": len(lex.entries)},
        "settings": {"thresholds": model.thresholds if model else sc.thresholds,
                     "lexicon_thresholds": sc.thresholds, "scope_rule": sc.checks_scope,
                     "rules": {n: getattr(rules, n) for n in RULE_CONSTANTS}},
        "counts": dict(counts),
        "frames": {r["frame"]: {"sentences": int(r["sentences"]), "share": round(float(r["share"]), 4)}
                   for r in prof.to_dict("records")},
        "voices": voices,
    }
    if model:
        record["classifier"] = {k: model.meta.get(k) for k in
                                ("trained", "training_data_sha256", "n_sentences", "voice_from", "oof_metrics")}
        if model.meta.get("evaluation"):
            record["evaluation"] = model.meta["evaluation"]
    return record


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
    """Documents from a DataFrame of texts the researcher already has.

    Each row is read like a JSON or CSV record (:func:`~framing.readers.record_document`): the
    ``title``, ``date`` and ``source`` columns are found under the readers' default names, dates are
    normalized to ISO 8601 and outlets to one name each. The id is ``id_column``, else a column the
    readers take for an id (``id``, ``url``, …), else the row's index label.
    """
    if text_column not in df.columns:
        raise KeyError(f"no column {text_column!r} in the DataFrame (columns: {', '.join(map(str, df.columns))})")
    if id_column and id_column not in df.columns:
        raise KeyError(f"no id column {id_column!r} in the DataFrame")
    fields = dict(DEFAULT_FIELDS, text=(text_column,))
    if id_column:
        fields["id"] = (id_column,)
    opts = ReadOptions(fields=fields)
    for i, row in enumerate(df.to_dict("records")):
        rec = {str(k): None if _missing(v) else v for k, v in row.items()}
        label = _index_label(df.index[i])
        where = f"row {i} (index {label})"
        item = record_document(rec, opts, "<DataFrame>", where, label, None)
        if isinstance(item, Document):
            item.path = None  # "<DataFrame>" names where a skipped row was, not a file to show in reports
        yield item


def _index_label(v) -> str:
    """A row's index label as an id: a MultiIndex label's parts joined with "/" (``a/1``)."""
    return "/".join(map(_index_label, v)) if isinstance(v, tuple) else str(v)


def _missing(v) -> bool:
    """None, NaN, NaT or pd.NA: an empty cell."""
    return v is None or (pd.api.types.is_scalar(v) and bool(pd.isna(v)))


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
