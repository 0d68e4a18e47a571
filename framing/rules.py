"""Scoring rules: negation, contrast, intensity, attribution and voice, and the article's scope.

Short enough to read in one sitting (in the spirit of VADER). Every rule works
on a :class:`SentenceView`: the normalized sentence, its word spans, and the
lexicon matches placed on those words. The constants are the knobs.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field

from .lexicon import FRAMES, Match
from .text import tokenize

NEGATION_WINDOW = 3        # a negator negates a cue up to this many words after it
CONTRAST_BEFORE = 0.75     # weight of cues before «لكن» / «إلا أن» ...
CONTRAST_AFTER = 1.25      # ... and after it: the second clause carries the point
INTENSIFIER_BOOST = 1.25   # «أكثر من»، «بشدة» up to two words before a cue
HEDGE_DAMP = 0.6           # «قد»، «ربما» up to two words before a cue
MODIFIER_WINDOW = 2
ACTOR_BEFORE = 4           # an actor up to 4 words before a reporting verb («بلينكين قال»)
ACTOR_AFTER = 6            # ... or up to 6 words after a reporting verb or source phrase
CONTINUATION_START = 2     # a reporting verb among the first 2 words with no actor continues the last speaker
TRAILING_TAG = 6           # a source phrase within the last 6 words is a trailing tag (codebook P6)
HEADLINE_SPEAKER = 6       # a speaker of up to 6 words and a colon open the sentence («وزير الخارجية: …», P18)
ALIAS_AFTER = 6            # words after an official title taken as the official's name
ALIAS_BEFORE = 2           # words before an official title («توني بلينكين نائب وزير»)
MIN_ALIAS_LEN = 3

ATTRIBUTION_CUES = ("reporting_verbs", "source_phrases")  # a voice other than the outlet's needs one of these
ALIAS_CUE = "official_actors"                            # names next to these are learned as officials'
# Without a frame entry, a sentence whose cues include none of these gets no hit, the outlet's voice and
# no new alias: negators, hedges, actors without a reporting verb... modify nothing on their own.
CUES_THAT_ACT_ALONE = frozenset(ATTRIBUTION_CUES + (ALIAS_CUE,))

# Scope (codebook P22): an article that never names the campaign (ISIS, terrorism, the international
# coalition: cue class scope_campaign) is not coverage of it, and its sentences get no campaign frame;
# civilian_harm stays open where the article names armed violence (scope_violence).
SCOPE_CUES = {"scope_campaign": "campaign", "scope_violence": "violence"}  # cue class -> scope, strongest first
OPEN_FRAMES = {"campaign": FRAMES, "violence": ("civilian_harm",), "none": (), "": FRAMES}  # "": not checked


@dataclass(slots=True)
class Placed:
    """A lexicon match placed on the sentence's words: ``first``..``last`` word indices; ``cue``: its entry's."""

    match: Match
    first: int
    last: int
    cue: str | None


@dataclass
class Attribution:
    """Who makes the sentence's claim, and the words that say so."""

    voice: str = "authorial"
    cue_start: int | None = None  # normalized offsets of the deciding cue
    cue_end: int | None = None
    trailing: bool = False        # an official source tag at the end (codebook P6)
    continues: bool = False       # a reporting verb opens it with no speaker of its own (codebook P5)


@dataclass
class SentenceView:
    """A sentence as the rules read it: its normalized text, its words (word ``i`` is
    ``norm[starts[i]:ends[i]]``) and its lexicon matches placed on them, frame entries and cues apart."""

    norm: str
    starts: list[int]
    ends: list[int]
    frame_matches: list[Placed]
    cues: dict[str, list[Placed]] = field(default_factory=dict)

    @classmethod
    def build(cls, norm: str, matches: list[Match], starts: list[int] | None = None,
              ends: list[int] | None = None) -> "SentenceView":
        """``matches``: sorted by start (:meth:`~framing.lexicon.Matcher.find`); ``starts`` and ``ends``: the
        words' (:func:`~framing.text.tokenize` of ``norm``), when the caller has them."""
        if starts is None or ends is None:
            words = tokenize(norm)
            starts, ends = [s for s, _ in words], [e for _, e in words]
        placed = []
        disjoint, reach = True, 0
        for m in matches:  # the word a position is in: the last that starts at or before it
            start, end = m.start, m.end
            disjoint = disjoint and start >= reach
            reach = end
            placed.append(Placed(m, max(0, bisect_right(starts, start) - 1), max(0, bisect_right(starts, end - 1) - 1),
                                 m.entry.cue))
        if not disjoint:  # (most sentences' matches are disjoint: nothing is contained in anything)
            placed = _drop_contained(placed)
        frames, cues = [], {}
        for p in placed:
            if p.cue:
                cues.setdefault(p.cue, []).append(p)
            elif p.match.entry.frame:
                frames.append(p)
        return cls(norm, starts, ends, frames, cues)

    @property
    def n_words(self) -> int:
        return len(self.starts)

    def of(self, *classes: str) -> Sequence[Placed]:
        if len(classes) == 1:
            return self.cues.get(classes[0], ())
        return [p for c in classes for p in self.cues.get(c, ())]


def _drop_contained(placed: list[Placed]) -> list[Placed]:
    """Longest match wins: drop a cue inside a longer cue, a frame entry inside a longer frame entry.

    Of several entries of one frame (or cue class) on the same span, the heaviest counts once.
    """
    best: dict[tuple, Placed] = {}
    for p in placed:
        key = (p.match.start, p.match.end, p.match.entry.frame, p.cue)
        if key not in best or p.match.entry.weight > best[key].match.entry.weight:
            best[key] = p
    placed = [p for p in placed if best[(p.match.start, p.match.end, p.match.entry.frame, p.cue)] is p]
    # p is inside a longer q (of its kind: cue or frame entry) when q starts at or before p and ends at or
    # after it on a different span: some q starting earlier reaches p's end, or one starting with p ends later.
    inside: set[int] = set()
    for is_cue in (False, True):
        group = sorted((p for p in placed if (p.cue is not None) == is_cue), key=lambda p: p.match.start)
        reach = -1  # furthest end of the items that start before the current start
        i = 0
        while i < len(group):
            start = group[i].match.start
            j = i
            while j < len(group) and group[j].match.start == start:
                j += 1
            same = group[i:j]
            longest = max(p.match.end for p in same)
            for p in same:
                if reach >= p.match.end or longest > p.match.end:
                    inside.add(id(p))
            reach = max(reach, longest)
            i = j
    return [p for p in placed if id(p) not in inside]


def is_negated(view: SentenceView, hit: Placed) -> bool:
    """A negator up to ``NEGATION_WINDOW`` words before the cue, with no contrast cue between."""
    negators = view.of("negators")
    if not negators:
        return False
    contrasts = [c.first for c in view.of("contrast")]
    for neg in negators:
        if hit.first - NEGATION_WINDOW <= neg.last < hit.first:
            if not any(neg.last < c < hit.first for c in contrasts):
                return True
    return False


def modifier_factor(view: SentenceView, hit: Placed) -> float:
    """Contrast, intensifier and hedge factors for a cue's weight."""
    factor = 1.0
    contrasts = view.of("contrast")
    if contrasts:
        pivot = contrasts[-1].first
        factor *= CONTRAST_BEFORE if hit.last < pivot else CONTRAST_AFTER
    if any(hit.first - MODIFIER_WINDOW <= m.last < hit.first for m in view.of("intensifiers")):
        factor *= INTENSIFIER_BOOST
    if any(hit.first - MODIFIER_WINDOW <= m.last < hit.first for m in view.of("hedges")):
        factor *= HEDGE_DAMP
    return factor


def attribute(view: SentenceView, aliases: set[str], previous: str) -> Attribution:
    """The sentence's voice (codebook, and project decisions P5-P7 and P18)."""
    found: list[tuple[str, Placed, bool]] = []  # (voice, cue, is_source_phrase)
    n_words = view.n_words
    att = Attribution()
    headline = _headline_speaker(view, aliases)
    if headline is not None:  # P18: the speaker before the colon speaks the sentence, as if «قال»
        att.voice, colon = headline
        att.cue_start, att.cue_end = view.starts[0], colon + 1
        return att
    for cue in view.of(*ATTRIBUTION_CUES):
        phrase = cue.cue == "source_phrases"
        lo = cue.last + 1 if phrase else cue.first - ACTOR_BEFORE
        hi = cue.last + ACTOR_AFTER
        actor = _closest_actor(view, cue.first, lo, hi, aliases, cue)
        if actor is None and not phrase and cue.first < CONTINUATION_START:
            att.continues = True
            if previous != "authorial":
                actor = previous
        if actor is not None:
            found.append((actor, cue, phrase))
    for voice in ("official", "other_source", "authorial") if found else ():
        hits = [(c, ph) for v, c, ph in found if v == voice]
        if hits:
            cue, _ = hits[0]
            att.voice = voice
            att.cue_start, att.cue_end = cue.match.start, cue.match.end
            if voice == "official":
                att.trailing = all(ph and c.first >= n_words - TRAILING_TAG for c, ph in hits)
            break
    return att


_ACTOR_VOICES = {"official_actors": "official", "official_places": "official",
                 "other_sources": "other_source", "self_reference": "authorial"}


def _headline_speaker(view: SentenceView, aliases: set[str]) -> tuple[str, int] | None:
    """``(voice, colon offset)`` when the sentence opens with a speaker and a colon (codebook P18): an actor
    among the first :data:`HEADLINE_SPEAKER` words, before a colon and with no reporting verb or source
    phrase of its own. A place, topic or genre label before the colon («سوريا:» «عاجل:») names no speaker."""
    colon = view.norm.find(":")
    if colon < 0:
        return None
    before = sum(1 for s in view.starts[:HEADLINE_SPEAKER + 1] if s < colon)
    if not 1 <= before <= HEADLINE_SPEAKER or any(c.first < before for c in view.of(*ATTRIBUTION_CUES)):
        return None
    voice = _closest_actor(view, before, 0, before - 1, aliases, places=False)  # «أنقرة:» is mostly a place label
    return (voice, colon) if voice in ("official", "other_source") else None  # «رابط الخبر بصحيفة …:» is a label


def _closest_actor(view: SentenceView, anchor: int, lo: int, hi: int, aliases: set[str],
                   cue: Placed | None = None, places: bool = True) -> str | None:
    """Voice of the actor nearest word ``anchor`` within words ``[lo, hi]`` (other than ``cue`` itself);
    self-reference means authorial; ``places``: a capital («واشنطن») stands for its government."""
    best: tuple[int, str] | None = None
    cues = view.cues
    for cls, voice in _ACTOR_VOICES.items():
        if cls == "official_places" and not places:
            continue
        for a in cues.get(cls, ()):
            if lo <= a.first <= hi and a is not cue:
                d = abs(a.first - anchor)
                if best is None or d < best[0]:
                    best = (d, voice)
    if aliases:
        norm, starts, ends = view.norm, view.starts, view.ends
        for i in range(max(0, lo), min(len(starts), hi + 1)):
            if i != anchor and _strip_proclitic(norm[starts[i]:ends[i]]) in aliases:
                d = abs(i - anchor)
                if best is None or d < best[0]:
                    best = (d, "official")
    return best[1] if best else None


def learn_aliases(view: SentenceView, aliases: set[str], function_words: frozenset[str]) -> None:
    """Remember names next to official titles («المتحدث … ستيف وارن») for later «وقال وارن»."""
    actors = view.of(ALIAS_CUE)
    if not actors:
        return
    covered = {i for ps in (view.frame_matches, *view.cues.values()) for p in ps for i in range(p.first, p.last + 1)}
    norm, starts, ends = view.norm, view.starts, view.ends
    n = len(starts)
    for actor in actors:
        for i in (*range(actor.last + 1, min(n, actor.last + 1 + ALIAS_AFTER)),
                  *range(max(0, actor.first - ALIAS_BEFORE), actor.first)):
            if i not in covered:
                s, e = starts[i], ends[i]
                w = norm[s:e]
                if (e - s >= MIN_ALIAS_LEN and w.isalpha() and w not in function_words
                        and not w.startswith(("ال", "وال"))):
                    aliases.add(_strip_proclitic(w))


def _strip_proclitic(word: str) -> str:
    return word[1:] if len(word) > 4 and word[0] in "وفلب" else word


def sentence_scope(matches: list[Match]) -> tuple[str, Match | None]:
    """The strongest scope a sentence's matches name (``""`` for none) and the match that names it."""
    best: tuple[str, Match | None] = ("", None)
    for m in matches:
        scope = SCOPE_CUES.get(m.entry.cue)
        if scope == "campaign":
            return scope, m
        if scope and best[1] is None:
            best = (scope, m)
    return best


def article_scope(sentences: list[tuple[str, str]]) -> tuple[str, str]:
    """``(scope, words)`` of an article from its sentences' ``(scope, words)``: the strongest named anywhere
    ("campaign", else "violence", else "none") and the first words that name it."""
    for wanted in SCOPE_CUES.values():
        for scope, words in sentences:
            if scope == wanted:
                return scope, words
    return "none", ""


def closed_frames(scope: str) -> tuple[str, ...]:
    """The frames an article of this scope cannot carry (P22)."""
    return tuple(f for f in FRAMES if f not in OPEN_FRAMES[scope])
