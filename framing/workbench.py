"""The lexicon workbench: lint a lexicon, measure its entries, suggest terms, read concordances, convert dictionaries.

Everything here works on a lexicon YAML (``lexicons/coalition.yaml``) and on
what :func:`framing.analyze` produces; nothing edits a lexicon behind the
researcher's back.

- :func:`lint_lexicon`: every loader error at once (not only the first), then
  warnings: the same strings listed under two frames or cue classes, entries
  shadowed by another entry of their frame (they never count), characters
  normalized Arabic text never contains, entries routed nowhere.
- :func:`entry_stats`: per entry, hits in a corpus (documents, outlets) and,
  with a gold set, its precision for the frame each hit counted for.
- :func:`suggest_terms`: candidate words and bigrams for a frame, ranked by
  weighted log-odds with an informative Dirichlet prior (Monroe, Colaresi &
  Quinn 2008, "Fightin' Words"), with keyword-in-context examples.
- :func:`concordance`: keyword in context for a lexicon-style term.
- :func:`import_dictionary` / :func:`export_dictionary`: LIWC ``.dic`` and
  quanteda YAML dictionaries to and from the lexicon YAML.
"""
from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from .lexicon import (
    _GAP,
    _META,
    CONJ_ONLY_CUES,
    CUE_CLASSES,
    FRAMES,
    VOICES,
    Entry,
    Lexicon,
    LexiconError,
    Matcher,
    _normalize_term,
    _SeqLineLoader,
    _variants,
    load_lexicon,
    read_entries,
    read_lexicon_file,
)
from .rules import SCOPE_CUES, SentenceView
from .text import TOKEN_RE, normalize, normalize_text


class WorkbenchError(ValueError):
    """A problem with a workbench input (a dictionary file, a frame map, a gold file), with its file and line."""


def _as_lexicon(lexicon: str | Path | Lexicon | None) -> Lexicon:
    return lexicon if isinstance(lexicon, Lexicon) else load_lexicon(lexicon)


# --- lint --------------------------------------------------------------------

@dataclass(frozen=True)
class Finding:
    """One lint finding: ``severity`` is ``error``, ``warning`` or ``note``; ``kind`` a short code."""

    severity: str
    kind: str
    path: str
    line: int | None
    entry: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        what = f" (entry {self.entry!r})" if self.entry else ""
        return f"{where}: {self.severity}: {self.message}{what}"


_SEVERITY_ORDER = {"error": 0, "warning": 1, "note": 2}
BROAD_STEM = 2  # a wildcard stem of this many letters or fewer matches far too many words
# letters that normalized Arabic news text does not contain, and what it writes instead
_FOREIGN_LETTERS = {"ی": "ي", "ے": "ي", "ې": "ي", "ک": "ك", "ڪ": "ك", "ٱ": "ا", "ە": "ه", "ۀ": "ه", "ہ": "ه",
                    "ھ": "ه", "ۃ": "ه", "ٹ": "ت", "ں": "ن"}


def lint_lexicon(path: str | Path | None = None) -> list[Finding]:
    """Every problem of a lexicon file: the loader's errors (all of them) and the lint warnings.

    Errors are what :func:`framing.lexicon.load_lexicon` refuses (invalid YAML,
    unknown frames, cue classes or fields, weights out of range, terms that
    cannot match, duplicates within a frame or cue class). Warnings and notes
    are for a lexicon that loads but does not do what its author may think.
    """
    try:
        p, data = read_lexicon_file(path)
    except LexiconError as exc:  # unreadable, not YAML, not a lexicon: nothing further to check
        return [_finding(exc)]
    errors: list[LexiconError] = []
    entries = read_entries(p, data, errors)
    findings = [_finding(exc) for exc in errors] + _lint_entries(p, entries)
    return sorted(findings, key=lambda f: (_SEVERITY_ORDER[f.severity], f.line or 0, f.kind))


def _error_kind(message: str) -> str:
    for needle, kind in (("weight", "weight"), ("unknown cue class", "unknown-cue"), ("cannot match", "cannot-match"),
                         ("normalizes to nothing", "cannot-match"), ("'~'", "cannot-match"),
                         ("duplicate", "duplicate"), ("invalid YAML", "yaml")):
        if needle in message:
            return kind
    return "schema"


def _finding(exc: LexiconError, severity: str = "error") -> Finding:
    msg = str(exc)
    where = f"{exc.path}:{exc.line}" if exc.line else exc.path
    msg = msg.removeprefix(f"{where}: ")
    if exc.entry:
        msg = msg.removesuffix(f" (entry {exc.entry!r})")
    return Finding(severity, _error_kind(msg), exc.path, exc.line, exc.entry, msg)


def _behaviour(e: Entry) -> tuple:
    return e.weight, e.route, e.on_negation


def _where(e: Entry) -> str:
    return f"frame {e.frame}" if e.frame else f"cue class {e.cue}"


def _lint_entries(p: str, entries: list[Entry]) -> list[Finding]:
    out: list[Finding] = []

    def add(severity, kind, e, message):
        out.append(Finding(severity, kind, p, e.line, e.term, message))

    matched = [e for e in entries if e.cue != "function_words"]  # function words are read as a set, never matched
    for e in entries:
        for ch in dict.fromkeys(c for c in e.norm if c.isalpha()):
            hint = _foreign_hint(ch)
            if hint:
                add("warning", "cannot-match", e, f"contains {ch!r} ({unicodedata.name(ch, 'U+%04X' % ord(ch))}), "
                    f"which normalized Arabic text does not use: it cannot match there{hint}")
        words = [w for w in e.norm.split() if w != _GAP]
        if any(_mixed_script(w) for w in words):
            add("warning", "cannot-match", e, "a word mixes Arabic and Latin letters: it cannot match normal text")
        first = e.norm.split()[0]
        if first.endswith("*") and len(_bare(first.rstrip("*"))) <= BROAD_STEM and e.cue != "function_words":
            add("note", "broad", e, f"'{first}' matches every word that starts with {len(first) - 1} letters "
                "(with proclitics too): check its hits with `framing kwic`")
        if e.frame and e.on_negation in (None, "cancel") and all(e.routed(v) is None for v in VOICES):
            add("warning", "never-counts", e, "its route sends every voice to 'none' and negation cancels it: "
                "it never counts")
    shapes = {id(e): _shape(e) for e in matched}
    order = {id(e): i for i, e in enumerate(matched)}
    pairs = list(_inclusions(matched, shapes))
    included = {(id(a), id(b)) for a, b in pairs}
    reported: set[frozenset] = set()
    for a, b in pairs:
        mutual = (id(b), id(a)) in included
        if (a.frame, a.cue) == (b.frame, b.cue) and a.cue:  # cues have no weight: one more changes nothing
            if not mutual or order[id(a)] > order[id(b)]:
                add("warning", "shadowed", a, f"every string it matches is also matched by {b.term!r} (line {b.line}) "
                    f"in the same {_where(a)}: it changes nothing")
            continue
        if (a.frame, a.cue) == (b.frame, b.cue):
            winner = _winner(a, b, shapes)
            if winner is b:
                add("warning", "shadowed", a, f"every string it matches is also matched by {b.term!r} (line {b.line}) "
                    f"in the same {_where(a)}, which wins there: it never counts")
            elif winner is a and not mutual and _behaviour(a) == _behaviour(b):
                add("warning", "shadowed", a, f"every string it matches is also matched by {b.term!r} (line {b.line}) "
                    f"in the same {_where(a)}, which would count the same: it changes nothing")
            elif winner is a and not mutual:
                add("note", "overrides", a, f"a special case of {b.term!r} (line {b.line}) in the same {_where(a)}: "
                    f"where both match only this entry counts (weight {a.weight:g}, not {b.weight:g})")
            continue
        if a.cue in SCOPE_CUES or b.cue in SCOPE_CUES:
            continue  # scope terms are read apart, for the article's scope: sharing words with others is expected
        key = frozenset((id(a), id(b)))
        if key in reported or not (mutual or a.norm == b.norm):
            continue
        reported.add(key)
        first, second = sorted((a, b), key=lambda e: order[id(e)])
        effect = ("it counts for both frames" if first.frame and second.frame else
                  "it counts for the frame and also acts as a cue" if first.frame or second.frame else
                  "it acts as both cues")
        add("warning", "duplicate", second, f"matches the same strings as {first.term!r} (line {first.line}, "
            f"{_where(first)}); listed again under {_where(second)}: {effect}")
    return out


def _foreign_hint(ch: str) -> str:
    if ch in _FOREIGN_LETTERS:
        return f" (Arabic writes {_FOREIGN_LETTERS[ch]!r})"
    if "\ufb50" <= ch <= "\ufdff" or "\ufe70" <= ch <= "\ufeff":
        return f" (a presentation form; the letter is {unicodedata.normalize('NFKC', ch)!r})"
    return ""


def _mixed_script(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return any("\u0600" <= c <= "\u06ff" for c in letters) and any(c.isascii() for c in letters)


def _bare(stem: str) -> str:
    return stem[2:] if stem.startswith("ال") and len(stem) > 3 else stem


# A term's shape: a tuple of slots; a word slot is (frozenset of the strings before any suffix, wildcard),
# a gap slot is ("~", n) for n consecutive "~". The first word's strings are the matcher's proclitic
# variants; later words take the proclitics of framing.lexicon.PROCLITIC_RE (for a definite word only
# و ف ب ك: «بالالاجانب» is not Arabic).
_CONJ = ("", "و", "ف")
_TAIL_PREFIXES = tuple(c + p for c in _CONJ for p in ("", "ال", "بال", "كال", "لل", "ب", "ك", "ل"))
_TAIL_PREFIXES_DEF = tuple(c + p for c in _CONJ for p in ("", "ب", "ك"))


def _shape(e: Entry) -> tuple:
    slots: list = []
    for i, w in enumerate(e.norm.split()):
        if w == _GAP:
            if slots and slots[-1][0] == _GAP:
                slots[-1] = (_GAP, slots[-1][1] + 1)
            else:
                slots.append((_GAP, 1))
            continue
        stem, wild = w.rstrip("*"), w.endswith("*")
        if i == 0:
            forms = _variants(stem, conj_only=e.cue in CONJ_ONLY_CUES)
        else:
            prefixes = _TAIL_PREFIXES_DEF if stem.startswith("ال") and len(stem) > 3 else _TAIL_PREFIXES
            forms = {p + stem for p in prefixes}
        slots.append((frozenset(forms), wild))
    return tuple(slots)


def _word_covers(a: tuple, b: tuple) -> bool:
    """Every token word slot ``a`` matches, word slot ``b`` matches too."""
    forms_a, wild_a = a
    forms_b, wild_b = b
    if wild_a and not wild_b:
        return False
    for v in forms_a:
        if wild_b:
            if not any(v.startswith(u) for u in forms_b):
                return False
        elif v not in forms_b:
            return False
    return True


def _covers(a: tuple, b: tuple) -> bool:
    """Wherever shape ``a`` matches, shape ``b`` matches the same words (its gaps may take up ``a``'s gaps)."""
    wa = [s for s in a if s[0] != _GAP]
    wb = [s for s in b if s[0] != _GAP]
    if len(wa) != len(wb) or not all(_word_covers(x, y) for x, y in zip(wa, wb)):
        return False
    return all(ga <= gb for ga, gb in zip(_gaps(a), _gaps(b)))


def _gaps(shape: tuple) -> list[int]:
    """Gap size after each word slot."""
    out: list[int] = []
    for s in shape:
        if s[0] == _GAP:
            out[-1] += 2 * s[1]
        else:
            out.append(0)
    return out


def _inclusions(entries: list[Entry], shapes: dict[int, tuple]) -> Iterator[tuple[Entry, Entry]]:
    """Pairs ``(a, b)`` of distinct entries where ``b`` matches everything ``a`` matches."""
    exact: dict[str, list[Entry]] = defaultdict(list)
    wild: dict[str, list[Entry]] = defaultdict(list)
    for e in entries:
        forms, is_wild = shapes[id(e)][0]
        for f in forms:
            (wild if is_wild else exact)[f].append(e)
    for a in entries:
        stem = a.norm.split()[0].rstrip("*")
        cands = {id(b): b for b in exact.get(stem, [])}
        for k in range(1, len(stem) + 1):
            cands.update({id(b): b for b in wild.get(stem[:k], [])})
        for b in cands.values():
            if b is not a and _covers(shapes[id(a)], shapes[id(b)]):
                yield a, b


def _witnesses(shape: tuple) -> list[str]:
    """A few strings the shape matches: bare words, with a conjunction, with a suffix."""
    words = []
    for s in shape:
        if s[0] == _GAP:
            continue
        forms, _ = s
        words.append(min(forms, key=lambda f: (len(f), f)))
    plain = " ".join(words)
    out = [plain, "و" + plain]
    if shape[0][1]:
        out.append(words[0] + "ها" + plain[len(words[0]):])
    return out


def _winner(a: Entry, b: Entry, shapes: dict[int, tuple]) -> Entry | None:
    """Which of two entries counts where both match (``a``'s strings), as the scorer decides it."""
    pair = sorted((a, b), key=lambda e: e.line or 0)  # the lexicon's order, as in its matcher
    matcher = Matcher(pair)
    wins = Counter()
    for text in _witnesses(shapes[id(a)]):
        view = SentenceView.build(text, matcher.find(text))
        kept = view.frame_matches if a.frame else [q for qs in view.cues.values() for q in qs]
        for q in kept:
            wins[id(q.match.entry)] += 1
    if wins[id(a)] and not wins[id(b)]:
        return a
    if wins[id(b)] and not wins[id(a)]:
        return b
    return None


# --- corpus helpers ----------------------------------------------------------

def _analyze(corpus, lexicon: Lexicon, results=None, model=None):
    """``framing.analyze`` on the corpus; ``model``: as analyze takes it (``False``: the lexicon's labels only)."""
    from .api import analyze

    if results is not None:
        return results
    if corpus is None:
        raise WorkbenchError("no corpus given")
    return analyze(corpus, lexicon=lexicon, model=model)


def _load_gold(gold) -> pd.DataFrame:
    from .gold import GoldError, load_gold

    if isinstance(gold, pd.DataFrame):
        return gold
    try:
        return load_gold([gold] if isinstance(gold, (str, Path)) else list(gold))
    except (GoldError, OSError) as exc:
        raise WorkbenchError(str(exc)) from exc


def score_gold(gold, lexicon: str | Path | Lexicon | None = None) -> tuple[pd.DataFrame, list[list]]:
    """Score gold sentences in article order (:meth:`~framing.score.LexiconScorer.score_in_order`).

    Returns the gold table and, per sentence, the list of its :class:`~framing.score.Hit`.
    """
    from .score import LexiconScorer

    g = _load_gold(gold)
    return g, [s.hits for s in LexiconScorer(_as_lexicon(lexicon)).score_in_order(g["text"], g["group"])]


# --- stats -------------------------------------------------------------------

STATS_COLUMNS = ["frame", "term", "line", "weight", "fires", "docs", "outlets", "counted_for", "negated",
                 "gold_fires", "gold_correct", "precision"]


def entry_stats(corpus=None, gold=None, lexicon: str | Path | Lexicon | None = None, results=None) -> pd.DataFrame:
    """Per frame entry: how often it fires in the corpus, in how many documents and outlets, and its gold precision.

    ``fires`` counts the hits of ``framing.analyze`` (a hit is a match that
    counted for a frame, after negation and routing); ``counted_for`` says for
    which frames. With ``gold`` (a gold JSONL path or :func:`framing.gold.load_gold`
    table), the gold sentences are scored in article order and a hit is correct
    when the sentence's gold frames include the frame it counted for:
    ``precision = gold_correct / gold_fires``. Entries that never fire are
    listed with ``fires = 0``. ``outlets`` is NA when the corpus names no outlet.
    """
    lex = _as_lexicon(lexicon)
    rows = {(e.frame, e.term): {"frame": e.frame, "term": e.term, "line": e.line, "weight": e.weight, "fires": 0,
                                "docs": 0, "outlets": 0, "counted_for": "", "negated": 0}
            for e in lex.entries if e.frame}
    if corpus is not None or results is not None:
        res = _analyze(corpus, lex, results, model=False)  # hits are the lexicon's
        hits = res.hits
        arts = res.articles.drop_duplicates("doc_id")  # ids repeat in some corpora: the first article's outlet
        sources = arts.set_index("doc_id")["source"] if len(arts) else pd.Series(dtype=object)
        has_outlets = bool(len(sources) and sources.notna().any())
        if len(hits):
            hits = hits.assign(outlet=hits["doc_id"].map(sources))
            for (frame, term), grp in hits.groupby(["listed_under", "term"], sort=False):
                row = rows.get((frame, term))
                if row is None:
                    continue
                counted = grp["frame"].value_counts()
                row.update(fires=len(grp), docs=grp["doc_id"].nunique(), outlets=grp["outlet"].nunique(),
                           negated=int(grp["negated"].astype(bool).sum()),
                           counted_for="; ".join(f"{f} {n}" for f, n in counted.items()))
        if not has_outlets:
            for row in rows.values():
                row["outlets"] = pd.NA
    out = pd.DataFrame(list(rows.values()))
    if gold is not None:
        g, gold_hits = score_gold(gold, lex)
        fires, correct = Counter(), Counter()
        for frames, hs in zip(g["frames"], gold_hits):
            for h in hs:
                fires[(h.listed_under, h.term)] += 1
                correct[(h.listed_under, h.term)] += h.frame in frames
        keys = list(zip(out["frame"], out["term"]))
        out["gold_fires"] = [fires[k] for k in keys]
        out["gold_correct"] = [correct[k] for k in keys]
        out["precision"] = [round(correct[k] / fires[k], 4) if fires[k] else float("nan") for k in keys]
    order = {f: i for i, f in enumerate(FRAMES)}
    out = out.sort_values(["frame", "fires", "line"], key=lambda s: s.map(order) if s.name == "frame" else
                          (-s if s.name == "fires" else s)).reset_index(drop=True)
    return out[[c for c in STATS_COLUMNS if c in out.columns]]


# --- concordance ---------------------------------------------------------------

KWIC_COLUMNS = ["doc_id", "sentence", "start", "end", "left", "match", "right", "text"]


def term_matcher(term: str) -> Matcher:
    """A matcher for one lexicon-style term (proclitics, ``*``, ``~``); raises LexiconError when it cannot match."""
    return Matcher([Entry(term=term, norm=_normalize_term("<term>", None, term), frame=FRAMES[0])])


def _squash(s: str) -> str:
    return re.sub(r"\s+", " ", s)


def fit_context(s: str, width: int, keep_end: bool) -> str:
    """``s`` cut to at most ``width`` characters at a word boundary, keeping its end (left context) or start."""
    if len(s) <= width:
        return s
    if keep_end:
        s = s[-width:]
        return s.split(" ", 1)[1] if " " in s else s
    s = s[:width]
    return s.rsplit(" ", 1)[0] if " " in s else s


def _context(text: str, start: int, end: int, width: int) -> tuple[str, str]:
    """Up to ``width`` characters before ``start`` and after ``end``, whitespace squashed, cut at word boundaries."""
    left = _squash(text[max(0, start - 2 * width):start]).strip()
    right = _squash(text[end:end + 2 * width]).strip()
    return fit_context(left, width, True), fit_context(right, width, False)


def _sentence_kwic(matcher: Matcher, text: str, context: str, offset: int, width: int) -> Iterator[tuple]:
    """Matches in one sentence: (start, end) in ``context`` and the left, match and right strings."""
    norm = normalize(text)
    for m in matcher.find(norm.text):
        s, e = norm.span(m.start, m.end)
        ds, de = offset + s, offset + e
        left, right = _context(context, ds, de, width)
        yield ds, de, left, context[ds:de], right


def concordance(term: str, corpus, width: int = 40, limit: int | None = None) -> pd.DataFrame:
    """Keyword in context: every match of a lexicon-style ``term`` in the corpus, matched on normalized text.

    ``corpus``: whatever :func:`framing.analyze` takes. One row per match:
    ``doc_id``, ``sentence`` (index), ``start``/``end`` (offsets of the match in
    the original document), ``left``/``match``/``right`` (context of up to
    ``width`` characters each, whitespace squashed), ``text`` (the sentence).
    """
    from .api import _documents
    from .corpus import Skipped

    matcher = term_matcher(term)
    rows = []
    for doc in _documents(corpus, "text", None):
        if isinstance(doc, Skipped):
            continue
        for sent in doc.sentences:
            for ds, de, left, match, right in _sentence_kwic(matcher, sent.text, doc.text, sent.start, width):
                rows.append({"doc_id": doc.id, "sentence": sent.index, "start": ds, "end": de, "left": left,
                             "match": match, "right": right, "text": sent.text})
                if limit and len(rows) >= limit:
                    return pd.DataFrame(rows, columns=KWIC_COLUMNS)
    return pd.DataFrame(rows, columns=KWIC_COLUMNS)


def is_arabic(text: str) -> bool:
    return bool(re.search("[\u0600-\u06ff]", text))


# --- suggest -----------------------------------------------------------------

DEFAULT_PRIOR = 0.01  # pseudo-counts of the informative Dirichlet prior per background occurrence
_LETTERS = re.compile(r"^[^\W\d_]{2,}$")


def ngrams(text: str, sizes: Iterable[int] = (1, 2)) -> list[str]:
    """Normalized words (two letters or more, no digits) and word n-grams of a sentence."""
    toks = TOKEN_RE.findall(normalize_text(text))
    ok = [bool(_LETTERS.match(t)) for t in toks]
    out: list[str] = []
    for n in sizes:
        for i in range(len(toks) - n + 1):
            if all(ok[i:i + n]):
                out.append(" ".join(toks[i:i + n]))
    return out


def fightin_words(frame_counts: Counter, rest_counts: Counter, background: Counter,
                  prior: float = DEFAULT_PRIOR) -> pd.DataFrame:
    """Weighted log-odds ratios with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008, eq. 16-22).

    The prior is the background counts scaled by ``prior``: ``a_w = prior * background[w]``,
    ``a_0 = prior * sum(background)`` (so it weighs the same against corpora of any size). For each word
    ``delta = log((y_i + a_w) / (n_i + a_0 - y_i - a_w)) - log((y_j + a_w) / (n_j + a_0 - y_j - a_w))``,
    ``var = 1 / (y_i + a_w) + 1 / (y_j + a_w)``, ``z = delta / sqrt(var)``.
    Words missing from the background get no prior mass and are left out.
    """
    n_i, n_j = sum(frame_counts.values()), sum(rest_counts.values())
    a0 = prior * sum(background.values())
    rows = []
    for w in set(frame_counts) | set(rest_counts):
        if not background.get(w):
            continue
        a = prior * background[w]
        yi, yj = frame_counts.get(w, 0), rest_counts.get(w, 0)
        delta = (math.log((yi + a) / (n_i + a0 - yi - a)) - math.log((yj + a) / (n_j + a0 - yj - a)))
        z = delta / math.sqrt(1 / (yi + a) + 1 / (yj + a))
        rows.append((w, z, delta, yi, yj))
    return pd.DataFrame(rows, columns=["candidate", "z", "log_odds", "frame_count", "rest_count"])


SUGGEST_COLUMNS = ["candidate", "n", "z", "frame_count", "rest_count", "corpus_count", "in_lexicon",
                   "example_1", "example_2"]


def suggest_terms(frame: str, corpus=None, gold=None, lexicon: str | Path | Lexicon | None = None, top: int = 20,
                  min_count: int = 3, prior: float = DEFAULT_PRIOR, sizes: Iterable[int] = (1, 2),
                  examples: int = 2, width: int = 30, model=None, results=None) -> pd.DataFrame:
    """Candidate terms for ``frame``: words and bigrams over-represented in its sentences, by Fightin' Words z-score.

    The frame's sentences are the gold sentences labelled with it when ``gold``
    is given (the rest of the gold set is the contrast), else the sentences
    :func:`framing.analyze` labels with it in ``corpus`` (the contrast: its
    other sentences; ``model`` goes to analyze, ``False`` for the lexicon's
    labels). The prior comes from every sentence seen (corpus and gold).
    Unigrams and bigrams are scored separately and ranked together.
    ``in_lexicon`` names the entries that already match the candidate
    (``part:`` when one only matches part of it). Nothing is added to a lexicon.
    """
    if frame not in FRAMES:
        raise WorkbenchError(f"unknown frame {frame!r}; the schema has {', '.join(FRAMES)}")
    lex = _as_lexicon(lexicon)
    sizes = tuple(sizes)
    if gold is not None:
        model = False  # the corpus only supplies the prior and examples: no labels needed
    res = _analyze(corpus, lex, results, model) if corpus is not None or results is not None else None
    corpus_texts = list(res.sentences["text"]) if res is not None else []
    if gold is not None:
        g = _load_gold(gold)
        in_frame = g[frame].astype(bool)
        pos, neg = list(g.loc[in_frame, "text"]), list(g.loc[~in_frame, "text"])
        background_texts = corpus_texts + list(g["text"])
    else:
        if res is None:
            raise WorkbenchError("suggest needs a corpus, a gold set, or both")
        lab = res.sentences[f"label_{frame}"].astype(bool)
        pos, neg = list(res.sentences.loc[lab, "text"]), list(res.sentences.loc[~lab, "text"])
        background_texts = corpus_texts
    if not pos:
        raise WorkbenchError(f"no sentence is labelled {frame!r}" + (" in the gold set" if gold is not None else
                                                                      " in the corpus"))
    tables = []
    for n in sizes:
        fc = Counter(t for s in pos for t in ngrams(s, (n,)))
        rc = Counter(t for s in neg for t in ngrams(s, (n,)))
        bg = Counter(t for s in background_texts for t in ngrams(s, (n,)))
        t = fightin_words(fc, rc, bg, prior)
        t["n"] = n
        t["corpus_count"] = t["candidate"].map(lambda w, bg=bg: bg[w])
        tables.append(t)
    ranked = pd.concat(tables, ignore_index=True)
    ranked = ranked[(ranked["frame_count"] >= min_count) & (ranked["z"] > 0)]
    ranked = ranked.sort_values(["z", "frame_count"], ascending=False).head(top).reset_index(drop=True)
    ranked["z"] = ranked["z"].round(3)
    ranked["in_lexicon"] = [_in_lexicon(lex, c) for c in ranked["candidate"]]
    ex = _examples(list(ranked["candidate"]), pos, examples, width)
    for k in range(examples):
        ranked[f"example_{k + 1}"] = [ex[c][k] if len(ex[c]) > k else "" for c in ranked["candidate"]]
    cols = [c for c in SUGGEST_COLUMNS if c in ranked.columns] + [f"example_{k + 1}" for k in range(2, examples)]
    return ranked[cols]


def _in_lexicon(lex: Lexicon, candidate: str) -> str:
    whole, part = [], []
    for m in lex.find(candidate):
        if m.entry.cue == "function_words":
            continue
        label = f"{m.entry.frame or m.entry.cue}:{m.entry.term}"
        (whole if m.start == 0 and m.end == len(candidate) else part).append(label)
    if candidate in lex.function_words:
        whole.append("function_words")
    return "; ".join(list(dict.fromkeys(whole)) + [f"part: {x}" for x in dict.fromkeys(part)])


def _examples(candidates: list[str], texts: list[str], k: int, width: int) -> dict[str, list[str]]:
    """Up to ``k`` one-line contexts per candidate, from ``texts``."""
    out: dict[str, list[str]] = {c: [] for c in candidates}
    if not candidates or not k:
        return out
    entries = [Entry(term=c, norm=c, frame=FRAMES[0]) for c in candidates]
    matcher = Matcher(entries)
    for text in texts:
        norm = normalize(text)
        for m in matcher.find(norm.text):
            c = m.entry.term
            if len(out[c]) >= k or norm.text[m.start:m.end] != c:  # the counted form itself, not a variant
                continue
            s, e = norm.span(m.start, m.end)
            left, right = _context(text, s, e, width)
            out[c].append(f"{left} [{text[s:e]}] {right}".strip())
        if all(len(v) >= k for v in out.values()):
            break
    return out


# --- dictionaries: LIWC .dic and quanteda YAML ---------------------------------

DIC_SUFFIXES = (".dic", ".dict")
YAML_SUFFIXES = (".yml", ".yaml")


@dataclass
class Dictionary:
    """A category dictionary: category -> terms (each with the line it came from)."""

    path: str
    categories: dict[str, list[tuple[str, int | None]]]
    format: str


def read_dictionary(path: str | Path) -> Dictionary:
    """A LIWC ``.dic`` (``%`` header of ``id name`` lines, then ``term<TAB>ids``) or a quanteda YAML dictionary."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise WorkbenchError(f"{path}: cannot read: {exc}") from exc
    if path.suffix.lower() in DIC_SUFFIXES or raw.lstrip().startswith("%"):
        return _read_dic(path, raw)
    return _read_quanteda(path, raw)


def _read_dic(path: Path, raw: str) -> Dictionary:
    p = str(path)
    lines = raw.splitlines()
    n = 0
    while n < len(lines) and not lines[n].strip():
        n += 1
    if n >= len(lines) or lines[n].strip() != "%":
        raise WorkbenchError(f"{p}:{n + 1}: a LIWC dictionary starts with a '%' line, then 'id<TAB>category' lines")
    ids: dict[str, str] = {}
    n += 1
    while n < len(lines) and lines[n].strip() != "%":
        line = lines[n].strip()
        if line:
            parts = line.split(None, 1)
            if len(parts) != 2:
                raise WorkbenchError(f"{p}:{n + 1}: expected 'id<TAB>category name', got {line!r}")
            ids[parts[0]] = parts[1].strip()
        n += 1
    if n >= len(lines):
        raise WorkbenchError(f"{p}: the category header is not closed by a second '%' line")
    cats: dict[str, list[tuple[str, int | None]]] = {name: [] for name in ids.values()}
    for k in range(n + 1, len(lines)):
        line = lines[k].strip()
        if not line:
            continue
        if "\t" in line:
            term, rest = line.split("\t", 1)
            codes = rest.split()
        else:
            parts = line.split()
            split = len(parts)
            while split > 1 and parts[split - 1].isdigit():
                split -= 1
            term, codes = " ".join(parts[:split]), parts[split:]
        term = term.strip()
        if not codes:
            raise WorkbenchError(f"{p}:{k + 1}: {term!r} has no category ids")
        for code in codes:
            if code not in ids:
                hint = " (LIWC2007 conditional categories are not supported)" if not code.isdigit() else ""
                raise WorkbenchError(f"{p}:{k + 1}: unknown category id {code!r} for {term!r}{hint}")
            cats[ids[code]].append((term, k + 1))
    return Dictionary(p, cats, "liwc")


def _read_quanteda(path: Path, raw: str) -> Dictionary:
    p = str(path)
    try:
        data = yaml.load(raw, Loader=_SeqLineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{p}:{mark.line + 1}" if mark else p
        raise WorkbenchError(f"{where}: invalid YAML: {getattr(exc, 'problem', exc)}") from exc
    if not isinstance(data, dict):
        raise WorkbenchError(f"{p}: a quanteda dictionary is a mapping of categories to lists of terms")
    cats: dict[str, list[tuple[str, int | None]]] = {}

    def walk(node: dict, prefix: str) -> None:
        for key, value in node.items():
            if key in _META:
                continue
            name = f"{prefix}{key}"
            line = node["__keys__"].get(key)
            if isinstance(value, dict):
                walk(value, name + ".")
            elif isinstance(value, list):
                cats[name] = []
                for t in value:
                    if not isinstance(t, str):
                        raise WorkbenchError(f"{p}:{getattr(t, 'line', None) or line}: category {name!r}: "
                                             f"terms are strings, got {t!r}")
                    cats[name].append((str(t), getattr(t, "line", line)))
            elif isinstance(value, str):
                cats[name] = [(value, line)]
            else:
                raise WorkbenchError(f"{p}:{line}: category {name!r} must hold a list of terms or sub-categories")

    walk(data, "")
    return Dictionary(p, cats, "quanteda")


def parse_frame_map(items: Iterable[str]) -> dict[str, str]:
    """``["cat=frame", ...]`` to a dict; a target is a frame, ``cues.CLASS``, or ``-`` to leave the category out."""
    out = {}
    for item in items:
        cat, sep, target = item.partition("=")
        if not sep or not cat.strip() or not target.strip():
            raise WorkbenchError(f"--frame-map expects CATEGORY=FRAME, got {item!r}")
        out[cat.strip()] = target.strip()
    return out


def _target(category: str, frame_map: dict[str, str]) -> str | None:
    t = frame_map.get(category, category)
    if t == "-":
        return "-"
    if t in FRAMES:
        return t
    cls = t.removeprefix("cues.")
    if t.startswith("cues.") and cls in CUE_CLASSES:
        return t
    return None


def import_dictionary(path: str | Path, output: str | Path, frame_map: dict[str, str] | None = None,
                      name: str | None = None) -> tuple[Lexicon, list[str]]:
    """Convert a LIWC ``.dic`` or quanteda YAML dictionary into a lexicon YAML at ``output``.

    Categories named like a frame become that frame; ``cues.CLASS`` becomes a
    cue class; any other category must be mapped with ``frame_map``
    (``{"category": "frame"}``, or ``"-"`` to leave it out), else
    :class:`WorkbenchError` lists them. ``*`` wildcards carry over; terms our
    syntax cannot match are left out with a note. Every entry gets weight 1.
    Returns the loaded lexicon (the file is validated) and the notes.
    """
    frame_map = dict(frame_map or {})
    d = read_dictionary(path)
    unknown_keys = sorted(set(frame_map) - set(d.categories))
    if unknown_keys:
        raise WorkbenchError(f"{d.path}: --frame-map names categories the file does not have: "
                             f"{', '.join(unknown_keys)} (it has: {', '.join(d.categories) or 'none'})")
    bad_targets = sorted(f"{c}={t}" for c, t in frame_map.items() if _target(c, frame_map) is None)
    if bad_targets:
        raise WorkbenchError(f"--frame-map targets must be frames ({', '.join(FRAMES)}), cues.CLASS or '-': "
                             + ", ".join(bad_targets))
    unmapped = [c for c in d.categories if _target(c, frame_map) is None]
    if unmapped:
        raise WorkbenchError(
            f"{d.path}: categories that are not frames: {', '.join(unmapped)}. Map each with "
            f"--frame-map CATEGORY=FRAME (frames: {', '.join(FRAMES)}; a cue class as cues.CLASS; '-' leaves it out)")
    notes: list[str] = []
    frames: dict[str, list[str]] = {}
    cues: dict[str, list[str]] = {}
    sources: dict[str, list[str]] = defaultdict(list)
    seen: dict[tuple[str, str], tuple[str, int | None, str]] = {}
    for cat, terms in d.categories.items():
        target = _target(cat, frame_map)
        if target == "-":
            continue
        sources[target].append(cat)
        bucket = cues.setdefault(target[5:], []) if target.startswith("cues.") else frames.setdefault(target, [])
        for term, line in terms:
            term = term.strip()
            try:
                norm = _normalize_term(d.path, line, term)
            except LexiconError as exc:
                notes.append(f"left out: {exc}")
                continue
            key = (target, norm)
            if key in seen:
                first_term, first_line, first_cat = seen[key]
                if first_term != term or first_cat == cat:  # not just one word in two categories mapped together
                    notes.append(f"{d.path}:{line}: {term!r} is the same as {first_term!r} (line {first_line}) "
                                 f"under {target} after normalization; kept once")
                continue
            seen[key] = (term, line, cat)
            bucket.append(term)
    if not frames:
        raise WorkbenchError(f"{d.path}: no category maps to a frame; nothing to import")
    name = name or Path(path).stem
    text = _lexicon_yaml(name, Path(path).name, d.format, frames, cues, sources)
    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return load_lexicon(out), notes


def _q(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar


def _lexicon_yaml(name: str, source: str, fmt: str, frames: dict[str, list[str]], cues: dict[str, list[str]],
                  sources: dict[str, list[str]]) -> str:
    kind = "LIWC .dic" if fmt == "liwc" else "quanteda YAML"
    lines = [f"# Imported from {source} ({kind}) by `framing lexicon import`.",
             "# Every entry has weight 1: set weights, routes and on_negation, then run `framing lexicon check`.",
             f"name: {_q(name)}", "version: 0.1.0", "frames:"]
    for frame in FRAMES:
        if frame not in frames:
            continue
        lines += [f"  {frame}:", f"    label: {_q(frame)}",
                  f"    gloss: {_q('imported from categories ' + ', '.join(sources[frame]))}", "    entries:"]
        lines += [f"      - {{term: {_q(t)}}}" for t in frames[frame]]
        if not frames[frame]:
            lines[-1] = "    entries: []"
    if cues:
        lines.append("cues:")
        lines += [f"  {cls}: [{', '.join(_q(t) for t in terms)}]" for cls, terms in cues.items()]
    return "\n".join(lines) + "\n"


def export_dictionary(lexicon: str | Path | Lexicon | None, output: str | Path, cues: bool = False) -> list[str]:
    """Write a lexicon as a LIWC ``.dic`` or a quanteda YAML dictionary (by ``output``'s suffix).

    Categories are the frames (and with ``cues`` the cue classes, as
    ``cues.CLASS``). Terms are written as in the lexicon, ``*`` included;
    terms with a ``~`` gap have no equivalent and are left out. Returns notes
    on what the target format cannot express.
    """
    lex = _as_lexicon(lexicon)
    out = Path(output)
    suffix = out.suffix.lower()
    if suffix not in DIC_SUFFIXES + YAML_SUFFIXES:
        raise WorkbenchError(f"{out}: write a .dic (LIWC) or a .yml/.yaml (quanteda) file")
    notes: list[str] = []
    cats: dict[str, list[str]] = {}
    for e in lex.entries:
        if e.frame:
            cat = e.frame
        elif cues and e.cue:
            cat = f"cues.{e.cue}"
        else:
            continue
        if _GAP in e.norm.split():
            notes.append(f"{lex.path}:{e.line}: left out {e.term!r}: '~' gaps have no equivalent")
            continue
        cats.setdefault(cat, []).append(e.term.strip())
    if any(e.frame and (e.weight != 1.0 or e.route or e.on_negation) for e in lex.entries):
        notes.append("weights, routes and on_negation are not exported (the format has no place for them)")
    notes.append("framing matches proclitics (و ف ب ك ل ال لل) implicitly; other tools match each term as written")
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix in DIC_SUFFIXES:
        out.write_text(_dic_text(cats), encoding="utf-8")
    else:
        out.write_text(_quanteda_text(cats), encoding="utf-8")
    return notes


def _dic_text(cats: dict[str, list[str]]) -> str:
    ids = {cat: i for i, cat in enumerate(cats, 1)}
    lines = ["%"] + [f"{i}\t{cat}" for cat, i in ids.items()] + ["%"]
    codes: dict[str, list[int]] = {}
    for cat, terms in cats.items():
        for t in terms:
            codes.setdefault(t, [])
            if ids[cat] not in codes[t]:
                codes[t].append(ids[cat])
    lines += [f"{t}\t" + "\t".join(map(str, c)) for t, c in codes.items()]
    return "\n".join(lines) + "\n"


def _quanteda_text(cats: dict[str, list[str]]) -> str:
    nested: dict = {}
    for cat, terms in cats.items():
        node = nested
        *parents, leaf = cat.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = terms
    return yaml.safe_dump(nested, allow_unicode=True, sort_keys=False, default_flow_style=False)


__all__ = ["Finding", "WorkbenchError", "lint_lexicon", "entry_stats", "score_gold", "suggest_terms", "fightin_words",
           "concordance", "term_matcher", "ngrams", "read_dictionary", "import_dictionary", "export_dictionary",
           "parse_frame_map"]
