"""Lexicons: load and validate a YAML frame schema, compile it into a matcher.

A lexicon is data a researcher edits without touching Python
(``lexicons/coalition.yaml``). Term syntax, applied to normalized text:

- ``فشل``: the word, with any proclitics (و ف ب ك ل ال لل and their
  combinations) and no suffix;
- ``تحالف*``: the word followed by any suffix (التحالفات، تحالفها);
- ``لم يحقق تقدم*``: a phrase; each word may carry proclitics and ``*``;
- ``لم يسفر ~ عن``: ``~`` stands for up to two arbitrary words.

Matching uses one Aho-Corasick automaton over every first word with its
proclitic variants; the rest of a phrase is checked with a small regex only
where a first word was found.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import ahocorasick
import numpy as np
import yaml

from .text import normalize_text

FRAMES = ("coalition_failure", "official_success", "threat", "civilian_harm", "military_progress", "diplomacy")
VOICES = ("authorial", "official", "other_source")
CUE_CLASSES = (
    "negators", "contrast", "intensifiers", "hedges", "reporting_verbs", "source_phrases",
    "official_actors", "official_places", "other_sources", "self_reference", "function_words",
    "scope_campaign", "scope_violence",
)
NEGATION_OUTCOMES = FRAMES + ("cancel",)
CONJ_ONLY_CUES = frozenset({"negators", "contrast", "intensifiers", "hedges", "reporting_verbs", "source_phrases"})
MAX_WEIGHT = 3.0

_CONJ = ("", "و", "ف")
_PREP_ART = ("", "ال", "بال", "كال", "لل", "ب", "ك", "ل")
_ART_ONLY = ("ال", "بال", "كال", "لل")
PROCLITIC_RE = "(?:[وف]?(?:ال|بال|كال|لل|ب|ك|ل)?)"
_GAP = "~"
_GAP_RE = r"(?:\s+[^\W_]+){0,2}"
_TERM_OK = re.compile(r"^[^\W_]+\*?$")
_META = frozenset({"__line__", "__keys__"})
FRAME_FIELDS = frozenset({"label", "gloss", "threshold", "on_negation", "route", "entries"})
_NON_WORD_NOT_SPACE = re.compile(r"[^\w ]|_")  # with " ": the characters for which str.isalnum() is false


class LexiconError(ValueError):
    """A mistake in a lexicon file, naming the file, the line and the entry."""

    def __init__(self, path: str, line: int | None, message: str, entry: str | None = None):
        where = f"{path}:{line}" if line else path
        what = f" (entry {entry!r})" if entry else ""
        super().__init__(f"{where}: {message}{what}")
        self.path, self.line, self.entry = path, line, entry


@dataclass(frozen=True)
class Entry:
    """One lexicon term: a frame entry (``frame`` set) or a cue (``cue`` set)."""

    term: str
    norm: str
    weight: float = 1.0
    frame: str | None = None
    cue: str | None = None
    gloss: str = ""
    on_negation: str | None = None  # frame to move to when negated, or "cancel"
    route: tuple[tuple[str, str], ...] = ()  # (voice, frame-or-"none"): where the hit counts in that voice
    line: int | None = None

    def routed(self, voice: str) -> str | None:
        """The frame this hit counts for in ``voice`` (``None``: it counts for none)."""
        for v, target in self.route:
            if v == voice:
                return None if target == "none" else target
        return self.frame


@dataclass(slots=True)
class Match:
    """An entry found in normalized text at ``[start, end)`` (a value: not changed once found; not frozen,
    which would make building one, a million times in a corpus run, three times slower)."""

    entry: Entry
    start: int
    end: int


@dataclass
class Lexicon:
    name: str
    version: str
    path: str
    entries: list[Entry]
    frame_labels: dict[str, str] = field(default_factory=dict)
    frame_glosses: dict[str, str] = field(default_factory=dict)
    thresholds: dict[str, float] = field(default_factory=dict)  # per frame; frames not listed use the scorer's default

    @cached_property
    def sha256(self) -> str:
        """SHA-256 of the lexicon file as read: what run records and model metadata cite."""
        return hashlib.sha256(Path(self.path).read_bytes()).hexdigest()

    @cached_property
    def matcher(self) -> "Matcher":
        return Matcher([e for e in self.entries if e.cue != "function_words"], self.function_words)

    @cached_property
    def function_words(self) -> frozenset[str]:
        """Words never taken for a person's name (read as a set, not matched)."""
        return frozenset(e.norm for e in self.entries if e.cue == "function_words")

    @cached_property
    def has_scope(self) -> bool:
        """Whether the lexicon lists scope terms (codebook P22); without them no article is out of scope."""
        return any(e.cue == "scope_campaign" for e in self.entries)

    def find(self, norm_text: str) -> list[Match]:
        return self.matcher.find(norm_text)

    def frame_entries(self, frame: str) -> list[Entry]:
        return [e for e in self.entries if e.frame == frame]

    def cue_terms(self, cue: str) -> list[Entry]:
        return [e for e in self.entries if e.cue == cue]


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that records each mapping's line as ``__line__``."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    mapping["__keys__"] = {k.value: k.start_mark.line + 1 for k, _ in node.value if isinstance(k, yaml.ScalarNode)}
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class _SeqLineLoader(_LineLoader):
    """Also wraps scalars in sequences with their line, for cue lists."""


def _construct_sequence(loader: _SeqLineLoader, node: yaml.SequenceNode) -> list:
    out = []
    for child in node.value:
        value = loader.construct_object(child, deep=True)
        if isinstance(value, str):
            value = _Scalar(value, child.start_mark.line + 1)
        out.append(value)
    return out


class _Scalar(str):
    line: int

    def __new__(cls, value: str, line: int):
        obj = super().__new__(cls, value)
        obj.line = line
        return obj


_SeqLineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def default_lexicon_path() -> Path:
    """The bundled coalition lexicon."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "data" / "coalition.yaml", here.parent / "lexicons" / "coalition.yaml"):
        if candidate.exists():
            return candidate
    raise FileNotFoundError("the bundled lexicon coalition.yaml is missing from the installation")


def load_lexicon(path: str | Path | None = None) -> Lexicon:
    """Load and validate a lexicon file; raises :class:`LexiconError` naming file, line and entry."""
    p, data = read_lexicon_file(path)
    entries = read_entries(p, data)
    frames = {f: spec for f, spec in data["frames"].items() if f in FRAMES}  # each a mapping: read_entries checked
    labels = {f: str(spec.get("label", f)) for f, spec in frames.items()}
    glosses = {f: str(spec.get("gloss", "")) for f, spec in frames.items()}
    thresholds = {f: t for f, spec in frames.items() if (t := _threshold(p, spec, f)) is not None}
    return Lexicon(str(data["name"]), str(data["version"]), p, entries, labels, glosses, thresholds)


def _threshold(p: str, spec: dict, frame: str) -> float | None:
    """A frame's optional ``threshold``: the score at which the lexicon alone labels a sentence."""
    if "threshold" not in spec:
        return None
    t = spec["threshold"]
    if isinstance(t, bool) or not isinstance(t, (int, float)) or not 0 < t <= 1:
        raise LexiconError(p, spec["__keys__"].get("threshold"),
                           f"threshold of frame {frame!r} must be a number above 0 and at most 1, got {t!r}")
    return float(t)


def read_lexicon_file(path: str | Path | None = None) -> tuple[str, dict]:
    """The lexicon file's path and its parsed YAML (lines recorded), with the top-level fields checked;
    raises :class:`LexiconError` for a file that cannot be read, is not YAML or is not a lexicon."""
    path = Path(path) if path else default_lexicon_path()
    p = str(path)
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise LexiconError(p, None, f"cannot read the lexicon: {exc}") from exc
    try:
        data = yaml.load(raw, Loader=_SeqLineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        start, found = getattr(exc, "context_mark", None), getattr(exc, "problem_mark", None)
        mark = start or found
        detail = f"invalid YAML: {getattr(exc, 'context', None) or ''} {getattr(exc, 'problem', exc)}".replace("  ", " ")
        if start and found and found.line != start.line:
            detail += f" (noticed at line {found.line + 1})"
        raise LexiconError(p, mark.line + 1 if mark else None, detail) from exc
    if not isinstance(data, dict):
        raise LexiconError(p, 1, "a lexicon is a mapping with name, version, frames and cues")
    for key in ("name", "version", "frames"):
        if key not in data:
            raise LexiconError(p, 1, f"missing top-level field {key!r}")
    return p, data


def read_entries(p: str, data: dict, errors: list[LexiconError] | None = None) -> list[Entry]:
    """The entries of a parsed lexicon file, checked one by one.

    Each problem raises :class:`LexiconError`; with ``errors`` given, it is appended there
    instead and the walk goes on, so that a linter can report every problem at once (the
    entries returned are then the valid ones, duplicates left out).
    """
    def fail(exc: LexiconError) -> None:
        if errors is None:
            raise exc
        errors.append(exc)

    entries: list[Entry] = []
    frames = data["frames"]
    if not isinstance(frames, dict):
        fail(LexiconError(p, data.get("__line__"), "'frames' must map frame names to their entries"))
        frames = {}
    for frame, spec in frames.items():
        if frame in _META:
            continue
        line = frames["__keys__"].get(frame)
        if frame not in FRAMES:
            fail(LexiconError(p, line, f"unknown frame {frame!r}; the schema has {', '.join(FRAMES)}"))
            continue
        if not isinstance(spec, dict) or not isinstance(spec.get("entries"), list):
            fail(LexiconError(p, line, f"frame {frame!r} needs a list of 'entries'"))
            continue
        unknown = set(spec) - FRAME_FIELDS - _META
        if unknown:
            fail(LexiconError(p, line, f"unknown field(s) {', '.join(sorted(unknown))} in frame {frame!r}; "
                                       f"a frame has {', '.join(sorted(FRAME_FIELDS))}"))
        try:
            frame_route = _route(p, line, spec.get("route"), frame)
            frame_neg = _negation(p, line, spec.get("on_negation"), None)
            _threshold(p, spec, frame)
        except LexiconError as exc:
            fail(exc)
            frame_route, frame_neg = (), None
        for item in spec["entries"]:
            try:
                entries.append(_frame_entry(p, frame, item, frame_route, frame_neg))
            except LexiconError as exc:
                fail(exc)
    cues = data.get("cues", {}) or {}
    if not isinstance(cues, dict):
        fail(LexiconError(p, None, "'cues' must map cue classes to lists of terms"))
        cues = {}
    for cue, terms in cues.items():
        if cue in _META:
            continue
        line = cues["__keys__"].get(cue)
        if cue not in CUE_CLASSES:
            fail(LexiconError(p, line, f"unknown cue class {cue!r}; known: {', '.join(CUE_CLASSES)}"))
            continue
        if not isinstance(terms, list):
            fail(LexiconError(p, line, f"cue class {cue!r} must be a list of terms"))
            continue
        for term in terms:
            tline = getattr(term, "line", None) or (term.get("__line__") if isinstance(term, dict) else line)
            if not isinstance(term, str):
                fail(LexiconError(p, tline, f"a cue of {cue!r} is a plain term (cues have no weight or other fields)",
                                  str(term.get("term")) if isinstance(term, dict) else None))
                continue
            try:
                entries.append(Entry(term=str(term), norm=_normalize_term(p, tline, str(term)), cue=cue, line=tline))
            except LexiconError as exc:
                fail(exc)
    seen: dict[tuple, Entry] = {}
    unique = []
    for e in entries:
        key = (e.norm, e.frame, e.cue)
        if key in seen:
            fail(LexiconError(p, e.line, f"duplicate entry: same as line {seen[key].line} after normalization", e.term))
        else:
            seen[key] = e
            unique.append(e)
    return unique


def _frame_entry(p: str, frame: str, item, frame_route, frame_neg) -> Entry:
    if isinstance(item, str):
        item = {"term": item, "__line__": getattr(item, "line", None)}
    if not isinstance(item, dict) or "term" not in item:
        raise LexiconError(p, getattr(item, "line", None), f"an entry of {frame!r} needs a 'term'")
    line = item.get("__line__")
    term = str(item["term"])
    unknown = set(item) - {"term", "weight", "gloss", "on_negation", "route"} - _META
    if unknown:
        raise LexiconError(p, line, f"unknown field(s) {', '.join(sorted(unknown))}", term)
    weight = item.get("weight", 1.0)
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0 < weight <= MAX_WEIGHT:
        raise LexiconError(p, line, f"weight must be a number in (0, {MAX_WEIGHT}], got {weight!r}", term)
    return Entry(term=term, norm=_normalize_term(p, line, term), weight=float(weight), frame=frame,
                 gloss=str(item.get("gloss", "")), line=line,
                 on_negation=_negation(p, line, item.get("on_negation"), frame_neg, term),
                 route=_route(p, line, item.get("route"), frame, term) or frame_route)


def _route(p: str, line, route, frame: str, term: str | None = None) -> tuple[tuple[str, str], ...]:
    if route is None:
        return ()
    if not isinstance(route, dict):
        raise LexiconError(p, line, "'route' maps a voice to the frame the hit counts for", term)
    out = []
    for voice, target in route.items():
        if voice in _META:
            continue
        if voice not in VOICES:
            raise LexiconError(p, line, f"unknown voice {voice!r} in route; voices are {', '.join(VOICES)}", term)
        if target not in FRAMES and target != "none":
            raise LexiconError(p, line, f"route target {target!r} is not a frame (or 'none')", term)
        out.append((voice, target))
    return tuple(out)


def _negation(p: str, line, value, default, term: str | None = None) -> str | None:
    if value is None:
        return default
    if value not in NEGATION_OUTCOMES:
        raise LexiconError(p, line, f"on_negation must be a frame or 'cancel', got {value!r}", term)
    return value


def _normalize_term(p: str, line, term: str) -> str:
    words = normalize_text(term).split()
    if not words or all(w == _GAP for w in words):
        raise LexiconError(p, line, "the entry normalizes to nothing", term)
    for w in words:
        if w != _GAP and not _TERM_OK.match(w):
            raise LexiconError(p, line, f"cannot match {w!r}: a term is words of letters/digits, '*' only at a word's end", term)
    if words[0] == _GAP or words[-1] == _GAP:
        raise LexiconError(p, line, "'~' may only stand between words", term)
    return " ".join(words)


class Matcher:
    """All entries of a lexicon in one Aho-Corasick automaton.

    In the searched text every non-word character is a space, so ``" key "`` is a key as a whole word (all its
    entries apply) and ``" key"`` a key at the start of a longer word (only its wildcard entries apply):
    matches start at word starts only. A phrase's first word finds it; the rest is checked with its tail
    pattern. A first word in ``common`` (the lexicon's function words: «في»، «من»، «على» are the commonest
    words, and there most phrases fail) whose entries are all phrases with a plain second word is looked up
    with the second word: keys ``" في تقرير"`` (the first word, one space, the second word in each of its
    proclitic forms) and ``" في  "`` (two spaces: more than one non-word character follows). A third of the
    automaton's reports fewer, and at any one place at most one key reports, with the same entries in the
    same order as the first word's.
    """

    def __init__(self, entries: list[Entry], common: frozenset[str] = frozenset()):
        self.automaton = ahocorasick.Automaton()
        keys: dict[str, list[tuple[Entry, bool, re.Pattern[str] | None]]] = {}
        seconds: dict[Entry, set[str]] = {}  # a phrase's second word in every form it may take, for the phrases
        # whose first word is common (empty: a gap)
        for e in entries:
            words = e.norm.split()
            first, rest = words[0], words[1:]
            wildcard = first.endswith("*")
            stem = first.rstrip("*")
            tail = re.compile("".join(_word_re(w) for w in rest)) if rest else None
            if rest and stem in common:
                seconds[e] = set() if rest[0] == _GAP else _forms(rest[0].rstrip("*"))
            for variant in _variants(stem, conj_only=e.cue in CONJ_ONLY_CUES):
                keys.setdefault(variant, []).append((e, wildcard, tail))
        # value of a key: (back, length, entries, gate, entries of one word: :func:`_gated`); a match starts
        # ``back`` characters before the key's last one, and its first word is ``length`` long (-1: up to the next space)
        for key, values in keys.items():
            pairs = _pair_keys(key, values, seconds)
            if pairs is None:
                self.automaton.add_word(" " + key + " ", (len(key) + 1, len(key), *_gated(values)))
            else:
                for pair, some in pairs.items():
                    self.automaton.add_word(pair, (len(pair) - 1, len(key), *_gated(some)))
                self.automaton.add_word(" " + key + "  ", (len(key) + 2, len(key), *_gated(values)))
            wildcards = [v for v in values if v[1]]
            if wildcards:
                self.automaton.add_word(" " + key, (len(key), -1, *_gated(wildcards)))
        if keys:
            self.automaton.make_automaton()
        self._empty = not keys

    def find(self, text: str) -> list[Match]:
        """Every entry occurrence in normalized ``text``, sorted by start."""
        if self._empty:
            return []
        masked = " " + _NON_WORD_NOT_SPACE.sub(" ", text) + " "  # masked[i + 1] is text[i] or a space
        return self._scan(text, masked, [(0, len(text))], 0)[0]

    @staticmethod
    def masked(cps: np.ndarray, word: np.ndarray) -> str:
        """What :meth:`find_all` searches, from a text's :func:`~framing.text.code_points` and
        :func:`~framing.text.word_chars`: every character but letters and digits made a space, and a
        space added at either end (``masked[i + 1]`` is ``text[i]`` or a space)."""
        return " " + np.where(word, cps, np.uint32(32)).astype(np.uint32).tobytes().decode("utf-32-le") + " "

    def find_all(self, text: str, spans: Sequence[tuple[int, int]], masked: str) -> list[list[Match]]:
        """:meth:`find` of each ``text[start:end]`` (offsets from its start), in one pass over the part of
        ``text`` they cover. ``spans``: sorted and disjoint, each with no letter or digit just outside it
        (sentences: then nothing outside a span changes what is found in it); ``masked``: :meth:`masked`
        of ``text``."""
        if self._empty or not spans:
            return [[] for _ in spans]
        first, last = spans[0][0], spans[-1][1] + 2
        return self._scan(text, masked[first:last], spans, first)  # a slice: the automaton copies what it reads

    def _scan(self, text: str, masked: str, spans: Sequence[tuple[int, int]], base: int) -> list[list[Match]]:
        """The matches in each span; ``masked``: the masked text from position ``base`` of ``text`` on."""
        outs: list[list[Match]] = [[] for _ in spans]
        find_space = masked.find
        k, (lo, hi) = 0, spans[0]
        final = len(spans) - 1
        for last, (back, length, values, gate, alone) in self.automaton.iter(masked):
            start = last - back + base
            if length < 0:  # " key" inside a longer word
                word_end = find_space(" ", last + 1) - 1
                if word_end == last:
                    continue  # the word ends with the key: the " key " match covers it
                word_end += base
            else:  # the first word is the key
                word_end = start + length
            if start >= hi:
                while start >= hi and k < final:  # on to the span the match starts in
                    k += 1
                    lo, hi = spans[k]
                if start >= hi:
                    break  # past the last span
            if start < lo:
                continue  # between spans
            if gate is not None and not gate.match(text, word_end, hi):
                if not alone:
                    continue  # no phrase of this key goes on here
                values = alone  # nor here, but its one-word entries count
            out = outs[k]
            for entry, wildcard, tail in values:
                end = word_end
                if tail is not None:
                    m = tail.match(text, end, hi)  # the rest of the phrase within the span
                    if not m:
                        continue
                    end = m.end()
                out.append(Match(entry, start - lo, end - lo))
        for out in outs:
            if len(out) > 1:
                out.sort(key=lambda m: (m.start, -m.end))
        return outs


def _pair_keys(key: str, values: list[tuple[Entry, bool, re.Pattern[str] | None]],
               seconds: dict[Entry, set[str]]) -> dict[str, tuple] | None:
    """The keys ``" key <second word's form>"`` of a whole-word key whose entries are all phrases with a plain
    second word, each with its entries (in order); ``None`` for another key, or when one form of a second
    word begins another (two keys could then report one place)."""
    if not all(v[0] in seconds and seconds[v[0]] for v in values):
        return None
    pairs: dict[str, list] = {}
    for v in values:
        for form in seconds[v[0]]:
            pairs.setdefault(f" {key} {form}", []).append(v)
    ordered = sorted(pairs)
    if any(b.startswith(a) for a, b in zip(ordered, ordered[1:])):
        return None
    return {k: tuple(vs) for k, vs in pairs.items()}


def _forms(stem: str) -> set[str]:
    """A word after a phrase's first in every proclitic form its pattern (:func:`_word_re`) accepts."""
    return {c + p + stem for c in _CONJ for p in _PREP_ART}


def _gated(values: Sequence[tuple[Entry, bool, re.Pattern[str] | None]]) -> tuple[tuple, re.Pattern[str] | None, tuple]:
    """A key's entries, its gate and its entries of one word (``alone``). The gate, for a key with more than one
    phrase, is their tails as one pattern, which matches where any of them does: at a common word like «في»
    or «لم» most tails fail, and one test replaces each (where it fails, only ``alone`` count)."""
    tails = [tail for _, _, tail in values if tail is not None]
    if len(tails) < 2:
        return tuple(values), None, ()
    gate = re.compile("|".join(f"(?:{tail.pattern})" for tail in tails))
    return tuple(values), gate, tuple(v for v in values if v[2] is None)


def _variants(stem: str, conj_only: bool = False) -> set[str]:
    """The word with every proclitic combination it may carry (only و ف for verbs and particles)."""
    if conj_only:
        return {c + stem for c in _CONJ}
    if stem.startswith("ال") and len(stem) > 3:
        bare = stem[2:]
        return {c + p + bare for c in _CONJ for p in _ART_ONLY}
    return _forms(stem)


def _word_re(word: str) -> str:
    if word == _GAP:
        return _GAP_RE
    stem = re.escape(word.rstrip("*"))
    suffix = r"[^\W_]*" if word.endswith("*") else r"(?![^\W_])"
    return rf"[^\w]+{PROCLITIC_RE}{stem}{suffix}"
