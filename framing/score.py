"""Per-sentence scoring: lexicon matches, rules and voice fused into frame scores.

For each sentence and frame: a score in [0, 1], a label, and the hits that
produced it (entry, matched original text, offsets into the document, final
weight, whether negated, and which rule changed it). The score of a frame is
``1 - exp(-sum of its hits' weights)``; a frame is labelled when its score
reaches its threshold.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial

import numpy as np

from .corpus import Document, Sentence
from .lexicon import FRAMES, Lexicon, Match
from .rules import (
    CUES_THAT_ACT_ALONE,
    SCOPE_CUES,
    Attribution,
    SentenceView,
    attribute,
    is_negated,
    learn_aliases,
    modifier_factor,
    sentence_scope,
)
from .text import TOKEN_RE, Normalized, TextBatch, normalize

DEFAULT_THRESHOLD = 0.5


@dataclass
class Hit:
    """One lexicon cue that counted for a frame."""

    frame: str
    term: str
    listed_under: str
    text: str
    start: int
    end: int
    weight: float
    negated: bool = False
    rule: str = ""


@dataclass
class SentenceScore:
    doc_id: str
    index: int
    start: int
    end: int
    text: str
    is_title: bool
    scores: dict[str, float]
    labels: list[str]
    voice: str
    voice_cue: str
    hits: list[Hit] = field(default_factory=list)
    scope: str = ""        # the strongest scope its words name (codebook P22): "campaign", "violence" or ""
    scope_words: str = ""  # the original words that name it
    n_words: int = 0       # words (tokens of the normalized text)
    continues: bool = False  # a reporting verb opens it with no speaker of its own (codebook P5)

    def to_dict(self) -> dict:
        return asdict(self)


def _words_of(batch: TextBatch) -> tuple[list[int], list[int], list[int], list[int]]:
    """Where each sentence's words are among the batch's tokens (``first``, ``last``: its tokens are
    ``[first, last)``), and each token's offsets from the start of its sentence (:meth:`TextBatch.place`;
    for the sentences that stand alone)."""
    first, last = np.searchsorted(batch.starts, batch.lo), np.searchsorted(batch.starts, batch.hi)
    base = batch.lo[np.maximum(batch.rows, 0)] if len(batch.lo) else np.zeros(len(batch.starts), dtype=np.int64)
    return first.tolist(), last.tolist(), (batch.starts - base).tolist(), (batch.ends - base).tolist()


def _word_spans(starts: list[int], ends: list[int], first: int, last: int) -> tuple[list[int], list[int]]:
    """Where words ``[first, last)`` of the batch start and end."""
    return starts[first:last], ends[first:last]


def _to_score(total: float) -> float:
    return 1.0 - math.exp(-total) if total > 0 else 0.0


class LexiconScorer:
    """Scores the sentences of documents with a lexicon and the rules."""

    def __init__(self, lexicon: Lexicon, thresholds: dict[str, float] | None = None, scope_rule: bool = True):
        self.lexicon = lexicon
        self.thresholds = {f: DEFAULT_THRESHOLD for f in FRAMES} | lexicon.thresholds | (thresholds or {})
        self.checks_scope = scope_rule and lexicon.has_scope  # apply codebook P22, where the lexicon lists scope terms

    def score_document(self, doc: Document) -> list[SentenceScore]:
        """Score every sentence in reading order (the voice of a continuing speaker carries over)."""
        return next(self.score_documents([doc]))

    def score_documents(self, docs: Sequence[Document], norms: Sequence[Normalized] | None = None,
                        batch: TextBatch | None = None) -> Iterator[list[SentenceScore]]:
        """:meth:`score_document` of each, in turn, their texts prepared as one batch: normalized, tokenized
        and masked for the lexicon in one pass over the documents' joined normalized texts, every sentence
        placed on it (its span, and its words among the batch's tokens), then matched and scored document
        by document (few scored objects alive at a time: the garbage collector's full passes stay rare).
        ``norms``: each document's :func:`~framing.text.normalize`, and ``batch``: their texts'
        :meth:`TextBatch.of <framing.text.TextBatch.of>`, when the caller has them; the batch is given every
        sentence's span before the first document is scored."""
        if norms is None:
            norms = [normalize(doc.text) for doc in docs]  # once per document, each sentence takes its slice
        if batch is None:
            batch = TextBatch.of([n.text for n in norms])
        joined = batch.text
        matcher = self.lexicon.matcher
        masked = matcher.masked(batch.cps, batch.word)
        parts, spans = [], []
        for doc, norm, offset in zip(docs, norms, batch.offsets):
            doc_parts = [norm.part(sent.start, sent.end) for sent in doc.sentences]
            for sent, part in zip(doc.sentences, doc_parts):
                lo = offset + norm.position(sent.start)
                spans.append((lo, lo + len(part.text)))
            parts.append(doc_parts)
        batch.place(spans)
        alone = batch.alone
        first, last, rel_starts, rel_ends = _words_of(batch)
        k = 0  # the sentence's place in the batch
        for doc, doc_parts in zip(docs, parts):
            n = len(doc_parts)
            doc_spans, doc_alone = spans[k:k + n], alone[k:k + n]
            found = iter(matcher.find_all(joined, [sp for sp, ok in zip(doc_spans, doc_alone) if ok], masked))
            aliases: set[str] = set()
            previous = "authorial"
            scored_doc = []
            for sent, part, ok in zip(doc.sentences, doc_parts, doc_alone):
                if ok:
                    a, b = first[k], last[k]
                    words = partial(_word_spans, rel_starts, rel_ends, a, b)
                    scored = self._score(sent, aliases, previous, part, next(found), b - a, words)
                else:  # a sentence that does not stand alone in the text: read by itself
                    scored = self.score_sentence(sent, aliases, previous, part)
                previous = scored.voice
                scored_doc.append(scored)
                k += 1
            yield scored_doc

    def score_in_order(self, texts: Iterable[str], groups: Iterable) -> Iterator[SentenceScore]:
        """Free-standing sentences in reading order: within a group (an article), the voice of a continuing
        speaker and the officials' names learned carry over, as in :meth:`score_document`."""
        state: dict = {}
        for i, (text, group) in enumerate(zip(texts, groups)):
            aliases, previous = state.get(group, (set(), "authorial"))
            scored = self.score_sentence(Sentence(str(group), i, 0, len(text), text), aliases, previous)
            state[group] = (aliases, scored.voice)
            yield scored

    def score_text(self, text: str, doc_id: str = "", index: int = 0) -> SentenceScore:
        """Score one free-standing sentence."""
        return self.score_sentence(Sentence(doc_id, index, 0, len(text), text), set(), "authorial")

    def score_sentence(self, sent: Sentence, aliases: set[str], previous: str,
                       norm: Normalized | None = None) -> SentenceScore:
        """Score one sentence; ``norm``: its normalization when the caller has it already."""
        norm = norm or normalize(sent.text)
        return self._score(sent, aliases, previous, norm, self.lexicon.find(norm.text))

    def _score(self, sent: Sentence, aliases: set[str], previous: str, norm: Normalized, matches: list[Match],
               n_words: int | None = None,
               words: Callable[[], tuple[list[int], list[int]]] | None = None) -> SentenceScore:
        """Score a sentence from its lexicon matches; ``n_words`` and ``words`` (where its words start and
        end): when the caller has them, else read from its text."""
        text = norm.text
        scope, scope_words = "", ""
        if self.lexicon.has_scope:  # read (and kept out of the rules) whether or not the rule is applied
            scope, named = sentence_scope(matches)
            if named is not None:  # scope terms are read for the article, not scored
                matches = [m for m in matches if m.entry.cue not in SCOPE_CUES]
                s, e = norm.span(named.start, named.end)
                scope_words = sent.text[s:e]
        if not any(m.entry.frame or m.entry.cue in CUES_THAT_ACT_ALONE for m in matches) and (
                not matches or ":" not in text):  # (an actor and a colon may name a headline speaker, P18)
            # the common case, made cheap: no hit, authorial voice, nothing learned
            th = self.thresholds
            return SentenceScore(sent.doc_id, sent.index, sent.start, sent.end, sent.text, sent.is_title,
                                 dict.fromkeys(FRAMES, 0.0), [f for f in FRAMES if 0.0 >= th[f]], "authorial", "", [],
                                 scope, scope_words,
                                 n_words if n_words is not None else len(TOKEN_RE.findall(text)))
        view = SentenceView.build(text, matches, *(words() if words else ()))
        att = attribute(view, aliases, previous)
        learn_aliases(view, aliases, self.lexicon.function_words)
        totals = dict.fromkeys(FRAMES, 0.0)
        hits: list[Hit] = []
        for placed in view.frame_matches:
            entry, m = placed.match.entry, placed.match
            weight = entry.weight * modifier_factor(view, placed)
            negated = is_negated(view, placed)
            for frame, rule in self._targets(entry, att, negated):
                s, e = norm.span(m.start, m.end)
                hits.append(Hit(frame, entry.term, entry.frame, sent.text[s:e], sent.start + s, sent.start + e,
                                round(weight, 4), negated, rule))
                totals[frame] += weight
        scores = {f: round(_to_score(t), 4) if t else 0.0 for f, t in totals.items()}
        labels = [f for f in FRAMES if scores[f] >= self.thresholds[f]]
        cue = ""
        if att.cue_start is not None:
            s, e = norm.span(att.cue_start, att.cue_end)
            cue = sent.text[s:e]
        return SentenceScore(sent.doc_id, sent.index, sent.start, sent.end, sent.text, sent.is_title,
                             scores, labels, att.voice, cue, hits, scope, scope_words, view.n_words, att.continues)

    @staticmethod
    def _targets(entry, att: Attribution, negated: bool) -> list[tuple[str, str]]:
        """Where a hit counts: negation first, then routing by voice (codebook P6 for trailing tags)."""
        if negated:
            outcome = entry.on_negation or "cancel"
            return [] if outcome == "cancel" else [(outcome, "negation")]
        routed = entry.routed(att.voice)
        if att.voice == "official" and routed != entry.frame:
            if att.trailing:  # events told, then tagged with an official source: keep both
                return [(entry.frame, "")] + ([(routed, "trailing official tag")] if routed else [])
            return [(routed, "official voice")] if routed else []
        if routed != entry.frame:
            return [(routed, f"{att.voice} voice")] if routed else []
        return [(entry.frame, "")]
