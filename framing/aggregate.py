"""Aggregation: sentence scores into tables per sentence, per hit and per article."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import itemgetter

import pandas as pd

from .corpus import Document
from .lexicon import FRAMES, VOICES
from .rules import closed_frames
from .score import Hit, SentenceScore
from .text import ARABIC_MIN_SHARE


def format_hit(h: Hit) -> str:
    """A hit in one readable token: ``threat:مخاطر«مخاطر»@52-57 w=1.0``, plus its rule."""
    extra = " negated" if h.negated else ""
    extra += f" [{h.rule}]" if h.rule else ""
    return f"{h.frame}:{h.term}«{h.text}»@{h.start}-{h.end} w={h.weight:g}{extra}"


SCORE_KEYS = tuple(f"score_{f}" for f in FRAMES)
LABEL_KEYS = tuple(f"label_{f}" for f in FRAMES)
LEXICON_KEYS = tuple(f"lexicon_{f}" for f in FRAMES)


def sentence_rows(doc: Document, scored: list[SentenceScore]) -> list[dict]:
    rows = []
    for s in scored:
        scores = [s.scores[f] for f in FRAMES]
        row = {"doc_id": s.doc_id, "sentence": s.index, "start": s.start, "end": s.end, "is_title": s.is_title,
               "text": s.text, "voice": s.voice, "voice_cue": s.voice_cue,
               "voice_continues": s.continues, "labels": ";".join(s.labels),
               **dict(zip(SCORE_KEYS, scores)), **{k: f in s.labels for k, f in zip(LABEL_KEYS, FRAMES)},
               "hits": " | ".join([format_hit(h) for h in s.hits]) if s.hits else "", "source": doc.source,
               "date": doc.date, **dict(zip(LEXICON_KEYS, scores)), "lexicon_voice": s.voice}
        rows.append(row)
    return rows


def hit_rows(scored: list[SentenceScore]) -> list[dict]:
    return [{"doc_id": s.doc_id, "sentence": s.index, "frame": h.frame, "term": h.term, "listed_under": h.listed_under,
             "matched": h.text, "start": h.start, "end": h.end, "weight": h.weight, "negated": h.negated, "rule": h.rule}
            for s in scored for h in s.hits]


OUT_OF_SCOPE_RULE = "article out of scope (P22)"


def apply_scope(rows: list[dict], hits: list[dict], scope: str) -> None:
    """Close the frames an article of this scope cannot carry (codebook P22), in place: their final
    score 0 and no label. The lexicon's own scores (``lexicon_<frame>``) and the hits stay, the hits
    marked with the rule, so that what was found and why it does not count can both be read."""
    closed = closed_frames(scope)
    if not closed:
        return
    keys = [(score, label) for f, score, label in zip(FRAMES, SCORE_KEYS, LABEL_KEYS) if f in closed]
    for row in rows:
        for score, label in keys:
            row[score] = 0.0
            row[label] = False
        row["labels"] = ";".join([f for f, k in zip(FRAMES, LABEL_KEYS) if row[k]])
    for h in hits:
        if h["frame"] in closed:
            h["rule"] = f"{h['rule']}; {OUT_OF_SCOPE_RULE}" if h["rule"] else OUT_OF_SCOPE_RULE


SENTENCE_COLUMNS = (["doc_id", "sentence", "start", "end", "is_title", "text", "voice", "voice_cue", "voice_continues",
                     "labels"] + list(SCORE_KEYS) + list(LABEL_KEYS) + ["hits", "source", "date"] + list(LEXICON_KEYS)
                    + ["lexicon_voice"])
HIT_COLUMNS = ["doc_id", "sentence", "frame", "term", "listed_under", "matched", "start", "end", "weight", "negated", "rule"]


def sentences_frame(rows: Iterable[dict]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=SENTENCE_COLUMNS)


def hits_frame(rows: Iterable[dict]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=HIT_COLUMNS)


_LABELS, _SCORES = itemgetter(*LABEL_KEYS), itemgetter(*SCORE_KEYS)


def article_row(doc: Document, rows: list[dict], n_words: int, arabic: float) -> dict:
    """Per article, from its sentence rows, their number of words and its :func:`~framing.text.arabic_share`
    (``arabic``): counts, share of sentences per frame, mean score, dominant frame, voices."""
    n = len(rows)
    row = {"doc_id": doc.id, "title": doc.title, "date": doc.date, "source": doc.source, "path": doc.path,
           "n_sentences": n, "n_words": n_words, "arabic_share": round(arabic, 3)}
    shares = {}
    labelled = [sum(col) for col in zip(*map(_LABELS, rows))] if n else [0] * len(FRAMES)  # per frame, in one pass
    totals = [sum(col) for col in zip(*map(_SCORES, rows))] if n else [0.0] * len(FRAMES)
    for f, k, total in zip(FRAMES, labelled, totals):
        shares[f] = k / n if n else 0.0
        row[f"n_{f}"] = k
        row[f"share_{f}"] = round(shares[f], 4)
        row[f"intensity_{f}"] = round(total / n, 4) if n else 0.0
    best = max(FRAMES, key=lambda f: (shares[f], row[f"intensity_{f}"]))
    row["dominant_frame"] = best if shares[best] > 0 else "none"
    voices = Counter([r["voice"] for r in rows])
    for v in VOICES:
        row[f"share_{v}"] = round(voices[v] / n, 4) if n else 0.0
    return row


def article_flags(columns) -> dict[str, int]:
    """How many articles the results flag, from an articles table's columns (a DataFrame, or a dict of
    lists): mostly not in Arabic script (``arabic_share``), and out of the campaign's scope (``scope``,
    codebook P22: ``violence`` keeps only civilian_harm, ``none`` no frame)."""
    scopes = list(columns.get("scope", ()))
    return {"not_arabic": int(sum(v < ARABIC_MIN_SHARE for v in columns.get("arabic_share", ()))),
            "scope_violence_only": scopes.count("violence"), "out_of_scope": scopes.count("none")}


def articles_frame(rows: Iterable[dict]) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


@dataclass
class FrameProfile:
    """The counts behind the corpus frame profile, added up table by table (a corpus run adds its Parquet parts)."""

    n: int = 0
    labelled: Counter = field(default_factory=Counter)
    score_sum: Counter = field(default_factory=Counter)
    by_voice: dict[str, Counter] = field(default_factory=lambda: {f: Counter() for f in FRAMES})
    voices: Counter = field(default_factory=Counter)

    def add(self, sentences: pd.DataFrame) -> "FrameProfile":
        """Count the sentences of one table (``label_<frame>``, ``score_<frame>`` and ``voice`` columns)."""
        if not len(sentences):
            return self
        self.n += len(sentences)
        self.voices.update(sentences["voice"].value_counts().to_dict())
        for f in FRAMES:
            lab = sentences[f"label_{f}"].astype(bool)
            self.labelled[f] += int(lab.sum())
            self.score_sum[f] += float(sentences[f"score_{f}"].sum())
            self.by_voice[f].update(sentences.loc[lab, "voice"].value_counts().to_dict())
        return self

    def table(self) -> pd.DataFrame:
        """Per frame: sentences labelled, share of sentences, mean score, and the labelled sentences per voice."""
        n = self.n
        return pd.DataFrame([{"frame": f, "sentences": self.labelled[f], "share": self.labelled[f] / n if n else 0.0,
                              "mean_score": self.score_sum[f] / n if n else 0.0,
                              **{v: int(self.by_voice[f].get(v, 0)) for v in VOICES}} for f in FRAMES])


def frame_profile(sentences: pd.DataFrame) -> pd.DataFrame:
    """Corpus-level frame profile: sentences labelled, share of sentences, mean score, voice mix."""
    return FrameProfile().add(sentences).table()
