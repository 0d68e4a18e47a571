"""Per-sentence scoring: lexicon matches, rules and voice fused into frame scores.

For each sentence and frame: a score in [0, 1], a label, and the hits that
produced it (entry, matched original text, offsets into the document, final
weight, whether negated, and which rule changed it). The score of a frame is
``1 - exp(-sum of its hits' weights)``; a frame is labelled when its score
reaches its threshold.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field

from .corpus import Document, Sentence
from .lexicon import FRAMES, Lexicon
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
from .text import TOKEN_RE, Normalized, normalize

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
        aliases: set[str] = set()
        previous = "authorial"
        out = []
        norm = normalize(doc.text)  # once per document, each sentence takes its slice
        for sent in doc.sentences:
            scored = self.score_sentence(sent, aliases, previous, norm.part(sent.start, sent.end))
            previous = scored.voice
            out.append(scored)
        return out

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
        text = norm.text
        matches = self.lexicon.find(text)
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
                                 scope, scope_words, len(TOKEN_RE.findall(text)))
        view = SentenceView.build(text, matches)
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
        scores = {f: round(_to_score(t), 4) for f, t in totals.items()}
        labels = [f for f in FRAMES if scores[f] >= self.thresholds[f]]
        cue = ""
        if att.cue_start is not None:
            s, e = norm.span(att.cue_start, att.cue_end)
            cue = sent.text[s:e]
        return SentenceScore(sent.doc_id, sent.index, sent.start, sent.end, sent.text, sent.is_title,
                             scores, labels, att.voice, cue, hits, scope, scope_words, len(view.words), att.continues)

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
