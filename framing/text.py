"""Arabic text: normalization with offsets, sentence splitting, tokenization.

Normalization maps every character of the original text to zero or one
character (diacritics and tatweel are dropped, letter variants unified), so a
position in the normalized text always maps back to one position in the
original. The character table is built once from camel-tools' data-free
normalizers, then applied as one ``str.replace`` per character that occurs.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate

import numpy as np
from camel_tools.utils.normalize import (
    normalize_alef_ar,
    normalize_alef_maksura_ar,
    normalize_teh_marbuta_ar,
)

TATWEEL = "\u0640"
# camel-tools' Arabic diacritics (``camel_tools.utils.charsets.AR_DIAC_CHARSET``, which its ``dediac_ar``
# drops), named here: importing its dediac module builds every Unicode character class first (0.4 s at
# each start). A test checks that the table below is the one ``dediac_ar`` gives.
ARABIC_DIACRITICS = "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670"
_ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩"
_PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
_HAMZA_CARRIERS = {"ؤ": "و", "ئ": "ي"}  # kept distinct by camel; unified here for matching


def _dediac(ch: str) -> str:
    return "" if ch in ARABIC_DIACRITICS else ch


@lru_cache(maxsize=1)
def _table() -> dict[int, int | None]:
    """Character table: Arabic block through camel-tools' normalizers, plus digits and ASCII case."""
    return build_table(_dediac)


def build_table(dediac: Callable[[str], str]) -> dict[int, int | None]:
    """The character table, the diacritics dropped by ``dediac``."""
    table: dict[int, int | None] = {}
    for code in range(0x0600, 0x0700):
        ch = chr(code)
        out = normalize_teh_marbuta_ar(normalize_alef_maksura_ar(normalize_alef_ar(dediac(ch))))
        out = _HAMZA_CARRIERS.get(out, out)
        if out != ch:
            if len(out) > 1:
                raise AssertionError(f"normalizer maps {ch!r} to {out!r}: offsets need 1:1")
            table[code] = ord(out) if out else None
    table[ord(TATWEEL)] = None
    for digits in (_ARABIC_INDIC, _PERSIAN_DIGITS):
        for i, d in enumerate(digits):
            table[ord(d)] = ord(str(i))
    table[0x066B] = ord(".")  # Arabic decimal separator
    table[0x066C] = ord(",")  # Arabic thousands separator
    for code in range(ord("A"), ord("Z") + 1):
        table[code] = code + 32
    table[0x08F0] = None  # open tanween variants (Quranic marks)
    table[0x08F1] = None
    table[0x08F2] = None
    return table


@lru_cache(maxsize=1)
def _deleted_re() -> re.Pattern[str]:
    dropped = "".join(re.escape(chr(c)) for c, v in _table().items() if v is None)
    return re.compile(f"[{dropped}]")


@dataclass(frozen=True)
class Normalized:
    """A normalized string and the way back to the original offsets."""

    text: str
    deletions: tuple[int, ...]  # original positions of the dropped characters, ascending

    def to_original(self, pos: int) -> int:
        """Original offset of normalized position ``pos`` (``pos == len(text)`` maps to the end)."""
        if not self.deletions:
            return pos
        # Find the original index x with x - (#deletions < x) == pos and x not deleted.
        x = pos
        while True:
            shift = bisect_right(self.deletions, x)
            candidate = pos + shift
            if candidate == x:
                return x
            x = candidate

    def position(self, pos: int) -> int:
        """Where original offset ``pos`` is in the normalized text (a dropped character: where it was)."""
        return pos - bisect_left(self.deletions, pos)

    def part(self, start: int, end: int) -> "Normalized":
        """The normalization of ``original[start:end]`` (normalization is per character, so a slice)."""
        lo, hi = bisect_left(self.deletions, start), bisect_left(self.deletions, end)
        return Normalized(self.text[start - lo:end - hi], tuple(d - start for d in self.deletions[lo:hi]) if hi > lo else ())

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original ``[start, end)`` of a normalized span."""
        if end <= start:
            o = self.to_original(start)
            return o, o
        return self.to_original(start), self.to_original(end - 1) + 1


def normalize(text: str) -> Normalized:
    """Normalize Arabic text (diacritics, tatweel, alef/hamza forms, alef maqsura, ta marbuta, digits)."""
    norm = normalize_text(text)  # one character for one, or none: as long as the text when none is dropped
    return Normalized(norm, tuple(m.start() for m in _deleted_re().finditer(text)) if len(norm) < len(text) else ())


@lru_cache(maxsize=1)
def _replacements() -> tuple[tuple[str, str], ...]:
    """The table as ``(char, replacement)`` pairs, most frequent first. Chained ``str.replace`` gives
    ``str.translate``'s result only while no replacement is itself replaced: checked here."""
    pairs = [(chr(k), chr(v) if v is not None else "") for k, v in _table().items()]
    keys = {k for k, _ in pairs}
    if any(v in keys for _, v in pairs):
        raise AssertionError("a normalization replacement is itself replaced: chained str.replace would differ")
    common = "ةىأإآئؤًٌٍَُِّْـ"
    pairs.sort(key=lambda kv: common.index(kv[0]) if kv[0] in common else len(common))
    return tuple(pairs)


def normalize_text(text: str) -> str:
    """The normalized string alone (for lexicon terms and user queries)."""
    if text.isascii():  # of ASCII, the table changes only the capitals (dates, identifiers, English text)
        return text.lower()
    # one str.replace per character that occurs: the same result as str.translate, about 3x faster on
    # Arabic (translate looks every character up through a Python int)
    for ch, rep in _replacements():
        if ch in text:
            text = text.replace(ch, rep)
    return text


# --- sentences -------------------------------------------------------------

_QUOTE_PAIRS = {"«": "»", "“": "”", "(": ")"}
MAX_QUOTE_SPAN = 400  # an opening quote not closed within this many characters is ignored
_END = set(".!?؟")  # not ; ؛ : in Arabic news they join clauses of one sentence
_ABBREV_MAX_LETTERS = 1  # "د." "م." "أ." : a single letter before a dot is an abbreviation
_LETTER_RE = re.compile(r"\w", re.UNICODE)
_SPLIT_POINTS = re.compile("[" + re.escape("\n" + "".join(_QUOTE_PAIRS) + '"' + "".join(sorted(_END))) + "]")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Split text into sentence spans ``(start, end)``, stripped of surrounding whitespace.

    Boundaries: a newline, or one of ``. ! ? ؟`` followed by whitespace or the
    end of text. Not a boundary: a dot inside a number (3.5), a run of dots
    (the Arabic ".." pause), a single-letter abbreviation, and anything inside
    a quotation that closes within ``MAX_QUOTE_SPAN`` characters.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    n = len(text)
    i = 0
    search = _SPLIT_POINTS.search
    while i < n:
        m = search(text, i)  # jump to the next character that can matter; the rest only advance i
        if m is None:
            break
        i = m.start()
        ch = text[i]
        if ch == "\n":
            _add_span(text, start, i, spans)
            start = i + 1
        elif ch in _QUOTE_PAIRS or ch == '"':
            close = _QUOTE_PAIRS.get(ch, '"')
            j = text.find(close, i + 1, min(n, i + 1 + MAX_QUOTE_SPAN))
            newline = text.find("\n", i + 1, j if j >= 0 else i)
            if j >= 0 and newline < 0:
                i = j  # jump over the quotation
        elif ch in _END and _is_boundary(text, i):
            # absorb closing punctuation that follows (e.g. ." or .»)
            k = i + 1
            while k < n and text[k] in "\"'»”)":
                k += 1
            _add_span(text, start, k, spans)
            start = k
            i = k
            continue
        i += 1
    _add_span(text, start, n, spans)
    return spans


def _is_boundary(text: str, i: int) -> bool:
    n = len(text)
    nxt = text[i + 1] if i + 1 < n else ""
    if nxt and not nxt.isspace() and nxt not in "\"'»”)":
        return False  # 3.5, 03:41, a.b
    if text[i] == ".":
        if (i > 0 and text[i - 1] == ".") or nxt == ".":
            return False  # ".." pause
        j, stop = i, max(0, i - _ABBREV_MAX_LETTERS - 1)  # (a longer word is no abbreviation: no need to read it all)
        while j > stop and _LETTER_RE.match(text[j - 1]) and not text[j - 1].isdigit():
            j -= 1
        if 0 < i - j <= _ABBREV_MAX_LETTERS and (j == 0 or not text[j - 1].isalnum()):
            return False
    return True


def _add_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start and _LETTER_RE.search(text, start, end):
        spans.append((start, end))


# --- script ------------------------------------------------------------------

SCRIPT_SAMPLE = 400       # characters from the start of a document (title and lead) that decide its script
ARABIC_MIN_SHARE = 0.5    # a document whose letters there are less Arabic than this is "not Arabic"
_WORD_LETTER_RE = re.compile(r"[^\W\d_]")


def arabic_share(text: str) -> float:
    """Share of the letters in the first :data:`SCRIPT_SAMPLE` characters that are Arabic script (0 without letters).

    The bundled lexicon and model read Arabic only: a document below :data:`ARABIC_MIN_SHARE`
    gets scores, but they do not measure its frames.
    """
    letters = _WORD_LETTER_RE.findall(text, 0, SCRIPT_SAMPLE)
    if not letters:
        return 0.0
    return sum("\u0600" <= c <= "\u08ff" or "\ufb50" <= c <= "\ufeff" for c in letters) / len(letters)


def arabic_shares(texts: Sequence[str]) -> list[float]:
    """:func:`arabic_share` of each text, counted with arrays."""
    heads = [t[:SCRIPT_SAMPLE] for t in texts]
    cps = code_points("".join(heads))
    letter = _in_class(cps, _letter_bmp(), lambda ch: bool(_WORD_LETTER_RE.match(ch)))
    arabic = letter & (((cps >= 0x0600) & (cps <= 0x08FF)) | ((cps >= 0xFB50) & (cps <= 0xFEFF)))
    ends = np.cumsum([len(h) for h in heads], dtype=np.int64)
    starts = ends - [len(h) for h in heads]
    n_letters = np.concatenate([[0], np.cumsum(letter)])
    n_arabic = np.concatenate([[0], np.cumsum(arabic)])
    letters, arabics = n_letters[ends] - n_letters[starts], n_arabic[ends] - n_arabic[starts]
    return [a / n if n else 0.0 for a, n in zip(arabics.tolist(), letters.tolist())]


@lru_cache(maxsize=1)
def _letter_bmp() -> np.ndarray:
    """For each code point below 0x10000: what ``[^\\W\\d_]`` (a letter) matches."""
    return np.array([bool(_WORD_LETTER_RE.match(chr(c))) for c in range(0x10000)], dtype=bool)


# --- tokens ----------------------------------------------------------------

TOKEN_RE = re.compile(r"[^\W_]+(?:[.,:][0-9]+)*", re.UNICODE)


def tokenize(text: str) -> list[tuple[int, int]]:
    """Word spans: runs of letters and digits, keeping 3.5, 10,000 and 03:41 whole."""
    return [m.span() for m in TOKEN_RE.finditer(text)]


# --- the same with arrays, for long texts (a batch of documents) ------------------------------------

NUMBER_JOINERS = ".,:"  # TOKEN_RE's [.,:]: between digits, part of the number
_JOINER_CODES = np.array([ord(c) for c in NUMBER_JOINERS], dtype=np.uint32)


def code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


@lru_cache(maxsize=1)
def _word_bmp() -> np.ndarray:
    """For each code point below 0x10000: a letter or digit (``str.isalnum``: what ``[^\\W_]`` matches)."""
    return np.array([chr(c).isalnum() for c in range(0x10000)], dtype=bool)


def word_chars(cps: np.ndarray) -> np.ndarray:
    """Which code points are letters or digits (``[^\\W_]``)."""
    return _in_class(cps, _word_bmp(), str.isalnum)


def _in_class(cps: np.ndarray, bmp: np.ndarray, test: Callable[[str], bool]) -> np.ndarray:
    """Which code points are in a character class: ``bmp`` (its table below 0x10000), else ``test``."""
    found = bmp[np.minimum(cps, 0xFFFF)]
    beyond = np.flatnonzero(cps > 0xFFFF)
    if len(beyond):
        found[beyond] = [test(chr(c)) for c in cps[beyond].tolist()]
    return found


def token_spans(cps: np.ndarray, word: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Starts and ends of :data:`TOKEN_RE`'s tokens (:func:`tokenize`), from :func:`code_points` and
    :func:`word_chars`: runs of word characters, joined by a ``[.,:]`` that a word character precedes and
    an ASCII digit follows («3.5»). A joined run of digits ends the token at its first non-digit («3.5x»
    is «3.5» and «x», as the regular expression reads it)."""
    n = len(cps)
    digit = (cps >= 48) & (cps <= 57)
    joins = np.zeros(n, dtype=bool)
    if n > 2:
        joins[1:-1] = np.isin(cps[1:-1], _JOINER_CODES) & word[:-2] & digit[2:]
    # digits that follow a joiner, run by run
    run_start = digit.copy()
    run_start[1:] &= ~digit[:-1]
    run = np.cumsum(run_start) - 1
    joined_run = np.zeros(int(run_start.sum()), dtype=bool)
    first = np.flatnonzero(run_start)
    joined_run[first > 0] = joins[first[first > 0] - 1]
    joined_digit = digit & joined_run[np.maximum(run, 0)] if len(joined_run) else np.zeros(n, dtype=bool)
    member = word | joins
    start = member.copy()
    start[1:] &= ~member[:-1]
    start[1:] |= word[1:] & ~digit[1:] & joined_digit[:-1]  # «x» after «3.5»
    end = member.copy()
    end[:-1] &= ~member[1:] | start[1:]
    return np.flatnonzero(start), np.flatnonzero(end) + 1


_HASH_BASE = 0x100000001B3        # the first hash: polynomial modulo 2**64
_HASH_PRIME = (1 << 31) - 1       # the second: polynomial modulo this prime (unlike 2**64, not broken by
_HASH_PRIME_BASE = 0x3B9ACA07     # the Thue-Morse strings that make any odd base collide modulo 2**64)


def token_hashes(cps: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two independent polynomial hashes of each ``cps[start:end]`` (a token's code points),
    ``sum(cps[i] * base ** (i - start))`` modulo 2**64 and modulo a prime: equal tokens hash equal, and two
    different tokens agree on both with odds of about 2**-95. Built by Horner's rule from each token's end,
    all tokens a character at a time, longest first (tokens of :data:`_HASH_LONG` characters or more, rare,
    one by one)."""
    lens = (ends - starts).astype(np.int64)
    first = np.zeros(len(lens), dtype=np.uint64)
    second = np.zeros(len(lens), dtype=np.uint64)
    # longest first (a stable sort of small integers: a radix sort), so that the tokens still going at
    # character k from the end are a prefix
    order = np.argsort((_HASH_LONG - np.minimum(lens, _HASH_LONG)).astype(np.uint16), kind="stable")
    going = np.searchsorted(-np.minimum(lens[order], _HASH_LONG), -np.arange(_HASH_LONG), side="left")
    last = ends[order].astype(np.int64) - 1
    h1, h2 = first[order], second[order]
    b1, b2, p = np.uint64(_HASH_BASE), np.uint64(_HASH_PRIME_BASE), np.uint64(_HASH_PRIME)
    with np.errstate(over="ignore"):
        for k, m in enumerate(going.tolist()):
            if m == 0:
                break
            c = cps[last[:m] - k].astype(np.uint64)
            h1[:m] *= b1  # wraps modulo 2**64
            h1[:m] += c
            h2[:m] *= b2  # below 2**62: no overflow
            h2[:m] += c
            h2[:m] %= p
    first[order], second[order] = h1, h2
    for i in np.flatnonzero(lens >= _HASH_LONG).tolist():
        first[i], second[i] = _hashes_of(cps[starts[i]:ends[i]].tolist())
    return first, second


_HASH_LONG = 256  # characters: a token this long is hashed alone


def _hashes_of(codes: list[int]) -> tuple[int, int]:
    """:func:`token_hashes` of one token's code points, with Python integers."""
    h1 = h2 = 0
    for c in reversed(codes):
        h1 = (h1 * _HASH_BASE + c) & 0xFFFFFFFFFFFFFFFF
        h2 = (h2 * _HASH_PRIME_BASE + c) % _HASH_PRIME
    return h1, h2


@dataclass
class Tokens:
    """Tokens of several texts in one string: each token's ``text[start:end]`` and the text (row) it is in."""

    text: str
    cps: np.ndarray  # code_points(text)
    starts: np.ndarray
    ends: np.ndarray
    rows: np.ndarray  # ascending


@dataclass
class TextBatch:
    """Normalized texts joined with a newline between (no token runs from one into the next), tokenized
    once with arrays: what the lexicon and the classifier both read. ``offsets``: where each text starts in
    ``text``. ``spans``: the sentences read from it,
    in reading order, ``(start, end)`` in ``text``; ``alone``: whether each reads the same there as by itself
    (both given by :meth:`place`)."""

    text: str
    cps: np.ndarray
    word: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    offsets: list[int]
    spans: list[tuple[int, int]] = field(default_factory=list, init=False)
    alone: list[bool] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        self.place([])

    @classmethod
    def of(cls, texts: Sequence[str]) -> TextBatch:
        joined = "\n".join(texts)
        cps = code_points(joined)
        word = word_chars(cps)
        offsets = list(accumulate((len(t) + 1 for t in texts), initial=0))[:len(texts)]
        return cls(joined, cps, word, *token_spans(cps, word), offsets)

    def place(self, spans: list[tuple[int, int]]) -> None:
        """Take the sentences read from the text, and find each token's sentence once: ``lo``, ``hi``, the
        sentences' starts and ends as arrays; ``alone``, whether each reads the same there as by itself
        (:meth:`_stand_alone`); ``rows``, each token's sentence (its place in ``spans``) among those that
        stand alone, -1 for none. (Sentences that stand alone do not overlap,
        and none of their tokens reaches out of them: a token of one lies inside it.)"""
        self.spans = spans
        self.lo, self.hi = np.array(spans, dtype=np.int64).reshape(-1, 2).T
        self.alone = self._stand_alone()
        own = np.flatnonzero(np.array(self.alone, dtype=bool))
        at = np.searchsorted(self.lo[own], self.starts, side="right") - 1
        self.rows = np.where(at >= 0, own[np.maximum(at, 0)], -1) if len(own) else np.full(len(self.starts), -1)

    def _stand_alone(self) -> list[bool]:
        """Whether each span reads the same in the text as alone: it starts after the spans before it end,
        and no token (a word, or a number such as «3.5»: :func:`token_spans`) runs across either edge.
        Sentences as split always do; a caller's own may not."""
        reach = np.maximum.accumulate(np.concatenate([[0], self.hi[:-1]])) if len(self.hi) else self.hi
        return ((self.lo >= reach) & ~self._in_token(self.lo - 1) & ~self._in_token(self.hi)).tolist()

    def _in_token(self, at: np.ndarray) -> np.ndarray:
        """Whether each position (-1 and the text's length: outside the text) lies inside a token."""
        if not len(self.starts):
            return np.zeros(len(at), dtype=bool)
        k = np.searchsorted(self.starts, at, side="right") - 1
        return (k >= 0) & (at < self.ends[np.maximum(k, 0)])

    def sentence_tokens(self) -> Tokens | None:
        """The tokens of the sentences in :attr:`spans`, each sentence a row: what :func:`token_spans` finds
        in each sentence alone. ``None`` when a sentence does not stand alone (cut mid-word by a caller)."""
        if not all(self.alone):
            return None
        row = self.rows
        if not len(self.lo):
            return Tokens(self.text, self.cps, self.starts[:0], self.ends[:0], row[:0])
        inside = (row >= 0) & (self.ends <= self.hi[np.maximum(row, 0)])
        return Tokens(self.text, self.cps, self.starts[inside], self.ends[inside], row[inside])


def is_word_char(ch: str) -> bool:
    return ch.isalnum()
