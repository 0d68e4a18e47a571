"""Aggregation: sentence scores into tables per sentence, per hit and per article."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
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


Columns = dict[str, list]  # a table column by column: every list one value per row


def sentence_columns(docs: Sequence[Document], scored: Sequence[list[SentenceScore]]) -> Columns:
    """The sentences table (:data:`SENTENCE_COLUMNS`) of documents and their scored sentences, in reading order."""
    flat = [s for doc_scored in scored for s in doc_scored]
    scores = {f: [s.scores[f] for s in flat] for f in FRAMES}
    labels = [s.labels for s in flat]
    voice = [s.voice for s in flat]

    def per_doc(values: Iterable) -> list:
        return [v for v, doc_scored in zip(values, scored) for _ in doc_scored]

    return {
        "doc_id": [s.doc_id for s in flat], "sentence": [s.index for s in flat], "start": [s.start for s in flat],
        "end": [s.end for s in flat], "is_title": [s.is_title for s in flat], "text": [s.text for s in flat],
        "voice": voice, "voice_cue": [s.voice_cue for s in flat], "voice_continues": [s.continues for s in flat],
        "labels": [";".join(ls) for ls in labels],
        **{k: scores[f] for k, f in zip(SCORE_KEYS, FRAMES)},
        **{k: [f in ls for ls in labels] for k, f in zip(LABEL_KEYS, FRAMES)},
        "hits": [" | ".join([format_hit(h) for h in s.hits]) if s.hits else "" for s in flat],
        "source": per_doc(d.source for d in docs), "date": per_doc(d.date for d in docs),
        # the lexicon's own evidence: copies, since a model replaces the final scores and voice
        **{k: list(scores[f]) for k, f in zip(LEXICON_KEYS, FRAMES)}, "lexicon_voice": list(voice),
    }


def hit_columns(scored: Sequence[list[SentenceScore]]) -> Columns:
    """The hits table (:data:`HIT_COLUMNS`) of scored sentences, in reading order."""
    pairs = [(s, h) for doc_scored in scored for s in doc_scored for h in s.hits]
    hits = [h for _, h in pairs]
    return {"doc_id": [s.doc_id for s, _ in pairs], "sentence": [s.index for s, _ in pairs],
            "frame": [h.frame for h in hits], "term": [h.term for h in hits],
            "listed_under": [h.listed_under for h in hits], "matched": [h.text for h in hits],
            "start": [h.start for h in hits], "end": [h.end for h in hits], "weight": [h.weight for h in hits],
            "negated": [h.negated for h in hits], "rule": [h.rule for h in hits]}


# the labels text of each set of frames, by its code: bit j for FRAMES[j]
_LABELS_TEXT = [";".join(f for j, f in enumerate(FRAMES) if code >> j & 1) for code in range(1 << len(FRAMES))]
_BITS = 1 << np.arange(len(FRAMES))


def labels_text(flags: Iterable[Sequence[bool]] | np.ndarray) -> list[str]:
    """The ``labels`` column from each row's label flags (in :data:`FRAMES` order): the frames, ``;``-joined."""
    codes = np.asarray(flags if isinstance(flags, np.ndarray) else list(flags), dtype=bool).reshape(-1, len(FRAMES)) @ _BITS
    return [_LABELS_TEXT[c] for c in codes.tolist()]


OUT_OF_SCOPE_RULE = "article out of scope (P22)"


def apply_scope(sentences: Columns, hits: Columns, rows: range, hit_rows: range, scope: str) -> None:
    """Close the frames an article of this scope cannot carry (codebook P22), in place, in its sentence
    rows and hit rows: their final score 0 and no label. The lexicon's own scores (``lexicon_<frame>``) and
    the hits stay, the hits marked with the rule, so that what was found and why it does not count can
    both be read."""
    closed = closed_frames(scope)
    if not closed or not len(rows):
        return
    lo, hi = rows.start, rows.stop
    for f, score, label in zip(FRAMES, SCORE_KEYS, LABEL_KEYS):
        if f in closed:
            sentences[score][lo:hi] = [0.0] * len(rows)
            sentences[label][lo:hi] = [False] * len(rows)
    sentences["labels"][lo:hi] = labels_text(zip(*(sentences[k][lo:hi] for k in LABEL_KEYS)))
    frame, rule = hits["frame"], hits["rule"]
    for i in hit_rows:
        if frame[i] in closed:
            rule[i] = f"{rule[i]}; {OUT_OF_SCOPE_RULE}" if rule[i] else OUT_OF_SCOPE_RULE


SENTENCE_COLUMNS = (["doc_id", "sentence", "start", "end", "is_title", "text", "voice", "voice_cue", "voice_continues",
                     "labels"] + list(SCORE_KEYS) + list(LABEL_KEYS) + ["hits", "source", "date"] + list(LEXICON_KEYS)
                    + ["lexicon_voice"])
HIT_COLUMNS = ["doc_id", "sentence", "frame", "term", "listed_under", "matched", "start", "end", "weight", "negated", "rule"]


def sentences_frame(columns: Columns) -> pd.DataFrame:
    return pd.DataFrame({c: columns.get(c, []) for c in SENTENCE_COLUMNS}, columns=SENTENCE_COLUMNS)


def hits_frame(columns: Columns) -> pd.DataFrame:
    return pd.DataFrame({c: columns.get(c, []) for c in HIT_COLUMNS}, columns=HIT_COLUMNS)


def article_row(doc: Document, sentences: Columns, rows: range, n_words: int, arabic: float) -> dict:
    """Per article, from its rows of the sentences table, their number of words and its
    :func:`~framing.text.arabic_share` (``arabic``): counts, share of sentences per frame, mean score,
    dominant frame, voices."""
    n, lo, hi = len(rows), rows.start, rows.stop
    row = {"doc_id": doc.id, "title": doc.title, "date": doc.date, "source": doc.source, "path": doc.path,
           "n_sentences": n, "n_words": n_words, "arabic_share": round(arabic, 3)}
    ranks = []  # (share, intensity) per frame: the dominant frame is the greatest
    for (count, share, intensity), label, score in zip(_ARTICLE_KEYS, LABEL_KEYS, SCORE_KEYS):
        k = sum(sentences[label][lo:hi]) if n else 0
        row[count] = k
        row[share] = round(k / n, 4) if n else 0.0
        row[intensity] = round(sum(sentences[score][lo:hi]) / n, 4) if n else 0.0
        ranks.append((k / n if n else 0.0, row[intensity]))
    best = max(range(len(FRAMES)), key=ranks.__getitem__)
    row["dominant_frame"] = FRAMES[best] if ranks[best][0] > 0 else "none"
    voices = sentences["voice"][lo:hi]
    for v, key in zip(VOICES, _VOICE_SHARE_KEYS):
        row[key] = round(voices.count(v) / n, 4) if n else 0.0
    return row


_ARTICLE_KEYS = [(f"n_{f}", f"share_{f}", f"intensity_{f}") for f in FRAMES]
_VOICE_SHARE_KEYS = [f"share_{v}" for v in VOICES]


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
    """The counts behind the corpus frame profile, added up table by table (a corpus run adds its shards')."""

    n: int = 0
    labelled: Counter = field(default_factory=Counter)
    score_sum: Counter = field(default_factory=Counter)
    by_voice: dict[str, Counter] = field(default_factory=lambda: {f: Counter() for f in FRAMES})
    voices: Counter = field(default_factory=Counter)

    def add(self, sentences: pd.DataFrame | Mapping[str, np.ndarray]) -> "FrameProfile":
        """Count the sentences of one table: its ``label_<frame>``, ``score_<frame>`` and ``voice`` columns
        (a DataFrame, or a mapping of names to arrays)."""
        voice = np.asarray(sentences["voice"], dtype=object)
        if not len(voice):
            return self
        self.n += len(voice)
        known = pd.notna(voice)  # a missing voice counts as no voice
        names, which = np.unique(voice[known].astype(str), return_inverse=True)
        names = names.tolist()
        self.voices.update(dict(zip(names, np.bincount(which, minlength=len(names)).tolist())))
        for f, label, score in zip(FRAMES, LABEL_KEYS, SCORE_KEYS):
            lab = np.asarray(sentences[label], dtype=bool)
            self.labelled[f] += int(lab.sum())
            self.score_sum[f] += float(np.asarray(sentences[score], dtype=np.float64).sum())
            by_voice = np.bincount(which[lab[known]], minlength=len(names)).tolist()
            self.by_voice[f].update({v: c for v, c in zip(names, by_voice) if c})
        return self

    def merge(self, other: "FrameProfile") -> "FrameProfile":
        """Add another profile's counts (a shard's: the same sums as adding its table)."""
        self.n += other.n
        self.voices.update(other.voices)
        for f in FRAMES:
            self.labelled[f] += other.labelled[f]
            self.score_sum[f] += other.score_sum[f]
            self.by_voice[f].update(other.by_voice[f])
        return self

    def to_dict(self) -> dict:
        """The counts as JSON data (a corpus run keeps each shard's in its manifest)."""
        return {"n": self.n, "labelled": dict(self.labelled), "score_sum": dict(self.score_sum),
                "by_voice": {f: dict(c) for f, c in self.by_voice.items()}, "voices": dict(self.voices)}

    @classmethod
    def from_dict(cls, data: dict) -> "FrameProfile":
        return cls(data["n"], Counter(data["labelled"]), Counter(data["score_sum"]),
                   {f: Counter(data["by_voice"].get(f, {})) for f in FRAMES}, Counter(data["voices"]))

    def table(self) -> pd.DataFrame:
        """Per frame: sentences labelled, share of sentences, mean score, and the labelled sentences per voice."""
        n = self.n
        return pd.DataFrame([{"frame": f, "sentences": self.labelled[f], "share": self.labelled[f] / n if n else 0.0,
                              "mean_score": self.score_sum[f] / n if n else 0.0,
                              **{v: int(self.by_voice[f].get(v, 0)) for v in VOICES}} for f in FRAMES])


def frame_profile(sentences: pd.DataFrame) -> pd.DataFrame:
    """Corpus-level frame profile: sentences labelled, share of sentences, mean score, voice mix."""
    return FrameProfile().add(sentences).table()
