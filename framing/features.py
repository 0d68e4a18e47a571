"""The classifiers' features, computed with arrays (numpy and scipy only: no scikit-learn).

A sentence's features are TF-IDF weights over its normalized words, their
light stems and stem bigrams (the vocabulary a fitted :class:`TextFeatures`
holds), then the lexicon's scores and voice, and its article's words.
Fitting them is :mod:`framing.classify`'s work (scikit-learn's
``TfidfVectorizer``); computing them for new sentences happens here, so that
a saved model predicts (:mod:`framing.predictor`) without importing
scikit-learn. :func:`tfidf_rows` gives the same bits as scikit-learn's
``TfidfTransformer.transform``.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain

import numpy as np
import pandas as pd
from scipy import sparse

from .lexicon import FRAMES
from .text import TOKEN_RE, Tokens, code_points, normalize_text, token_hashes, token_spans, word_chars

# Light stems: one proclitic off (the first of _PREFIXES that fits), then one suffix (the longest that fits),
# each only where STEM_MIN letters or digits stay next to it
_PREFIXES = ("وال", "فال", "بال", "كال", "لل", "ال", "و", "ف")
_SUFFIXES = ("ات", "ون", "ين", "ها", "هم", "هن", "كم", "نا", "ه", "ي")
STEM_MIN = 3
LEXICON_COLUMNS = [f"score_{f}" for f in FRAMES]
ARTICLE_COLUMN = "doc_id"
CONTINUES_COLUMN = "voice_continues"  # the lexicon's rules: a reporting verb opens the sentence with no speaker (P5)
INPUT_COLUMNS = ["text", *LEXICON_COLUMNS, "voice", CONTINUES_COLUMN]  # what the classifiers read of a lexicon table


def words_of(text: str) -> list[str]:
    """A sentence's normalized words: what :func:`analyzer` builds its features from."""
    return TOKEN_RE.findall(normalize_text(text))


_SEPARATOR = "\x00"  # neither normalized nor part of a word


def _joined(texts: Sequence[str]) -> str | None:
    """The texts joined by the separator, to be normalized at once (normalization maps character by
    character); ``None`` when a text holds the separator itself."""
    joined = _SEPARATOR.join(texts)
    return joined if joined.count(_SEPARATOR) == max(len(texts) - 1, 0) else None


def words_of_each(texts: Sequence[str]) -> list[list[str]]:
    """:func:`words_of` for each text, normalized all at once."""
    if not texts:
        return []
    joined = _joined(texts)
    if joined is None:
        return [words_of(t) for t in texts]
    return list(map(TOKEN_RE.findall, normalize_text(joined).split(_SEPARATOR)))


def features_of(X: pd.DataFrame) -> pd.DataFrame:
    """``X`` with its ``text`` column replaced by each sentence's words (tokenized once, used many times)."""
    return X.assign(text=words_of_each(X["text"].tolist()))


def _is_w(cps: np.ndarray) -> np.ndarray:
    """Which code points the regular expressions' ``\\w`` matches: letters, digits and ``_``."""
    return word_chars(cps) | (cps == ord("_"))


def _fits(cps: np.ndarray, at: np.ndarray, affix: str) -> np.ndarray:
    """Whether ``affix`` is spelled from each position in ``at``."""
    ok = np.ones(len(at), dtype=bool)
    for i, ch in enumerate(affix):
        ok &= cps[at + i] == ord(ch)
    return ok


def _w_run(cps: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Whether the :data:`STEM_MIN` code points from each position in ``at`` are all ``\\w``."""
    return np.logical_and.reduce([_is_w(cps[at + i]) for i in range(STEM_MIN)]) if len(at) else np.zeros(0, dtype=bool)


def stem_spans(cps: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each token's light stem (what :func:`analyzer` makes of ``cps[start:end]``: ``_PREFIX`` then
    ``_SUFFIX`` cut off) as a span inside it, found with arrays."""
    starts, ends = starts.astype(np.int64), ends.astype(np.int64)
    _cut_affix(cps, starts, ends, _PREFIXES, front=True)  # in order: the first that fits is cut
    # longest first: the longest suffix that fits starts leftmost, and the regular expression cuts it
    _cut_affix(cps, starts, ends, sorted(_SUFFIXES, key=len, reverse=True), front=False)
    return starts, ends


def _cut_affix(cps: np.ndarray, starts: np.ndarray, ends: np.ndarray, affixes: Sequence[str], front: bool) -> None:
    """Cut the first of ``affixes`` that fits, with :data:`STEM_MIN` ``\\w`` left next to it, off the front
    (or the back) of each span ``[start, end)``, in place."""
    todo = np.flatnonzero(ends - starts >= min(map(len, affixes)) + STEM_MIN)
    lens = (ends - starts)[todo]
    edge = cps[starts[todo] if front else ends[todo] - 1]  # the letter an affix begins (ends) with
    done = np.zeros(len(todo), dtype=bool)
    for affix in affixes:
        k = len(affix)
        pos = np.flatnonzero((edge == ord(affix[0] if front else affix[-1])) & (lens >= k + STEM_MIN) & ~done)
        at = starts[todo[pos]] if front else ends[todo[pos]] - k  # where the affix would be
        fits = _fits(cps, at, affix)
        pos, at = pos[fits], at[fits]
        fits = _w_run(cps, at + k if front else at - STEM_MIN)
        pos = pos[fits]
        if front:
            starts[todo[pos]] += k
        else:
            ends[todo[pos]] -= k
        done[pos] = True


def _strings_as_tokens(strings: Sequence[str], rows: np.ndarray) -> Tokens:
    """The strings as the tokens of one text (joined by NULs), each in its row."""
    sizes = np.fromiter(map(len, strings), dtype=np.int64, count=len(strings))
    ends = np.cumsum(sizes + 1) - 1
    text = "\x00".join(strings)
    return Tokens(text, code_points(text), ends - sizes, ends, rows)


def _string_hashes(strings: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """:func:`~framing.text.token_hashes` of whole strings."""
    tokens = _strings_as_tokens(strings, np.zeros(len(strings), dtype=np.int64))
    return token_hashes(tokens.cps, tokens.starts, tokens.ends)


class _HashIndex:
    """A fixed table from pairs of 64-bit keys (hashes) to integers, looked up with arrays: open addressing with
    linear probing, the slots at most a quarter full. Strings are found by their two hashes
    (:func:`~framing.text.token_hashes`): two different strings agree on both with odds of about 2**-95."""

    _SPREAD = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: a slot from the product's top bits

    def __init__(self, h1: np.ndarray, h2: np.ndarray, values: np.ndarray):
        bits = max(4, int(4 * len(h1)).bit_length())
        self.shift = np.uint64(64 - bits)
        self.mask = (1 << bits) - 1
        self.h1 = np.zeros(1 << bits, dtype=np.uint64)
        self.h2 = np.zeros(1 << bits, dtype=np.uint64)
        self.values = np.zeros(1 << bits, dtype=np.int64)
        self.used = np.zeros(1 << bits, dtype=bool)
        slot, todo = self._slots(h1), np.arange(len(h1))
        while len(todo):  # a free slot goes to the first pair that wants it; the others try the next
            free = todo[~self.used[slot[todo]]]
            taken, first = np.unique(slot[free], return_index=True)
            won = free[first]
            self.h1[taken], self.h2[taken], self.values[taken], self.used[taken] = h1[won], h2[won], values[won], True
            todo = np.setdiff1d(todo, won, assume_unique=True)
            slot[todo] = (slot[todo] + 1) & self.mask

    def _slots(self, h1: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return ((h1 * self._SPREAD) >> self.shift).astype(np.int64)

    def get(self, h1: np.ndarray, h2: np.ndarray, default: int = 0) -> np.ndarray:
        """The value of each pair, ``default`` for pairs not in the table."""
        slot = self._slots(h1)
        used = self.used[slot]
        hit = used & (self.h1[slot] == h1) & (self.h2[slot] == h2)
        out = np.where(hit, self.values[slot], default)
        todo = np.flatnonzero(used & ~hit)  # the rest: on to the next slot, until an empty one ends the search
        while len(todo):
            s = slot[todo] = (slot[todo] + 1) & self.mask
            used = self.used[s]
            hit = used & (self.h1[s] == h1[todo]) & (self.h2[s] == h2[todo])
            out[todo[hit]] = self.values[s[hit]]
            todo = todo[used & ~hit]
        return out


class _TermColumns:
    """Where a batch's words fall in a fitted vocabulary, found with arrays: each word's own column, its
    light stem's column, and its stem's number among the stems of the vocabulary's bigrams, looked up by
    hashes of the word and of its stem (:func:`stem_spans`) without cutting either out of the text."""

    def __init__(self, vocabulary: dict[str, int]):
        self.vocabulary = vocabulary
        pairs = [(term.split(" "), col) for term, col in vocabulary.items() if " " in term]
        stem_numbers: dict[str, int] = {}
        for (a, b), _ in pairs:
            stem_numbers.setdefault(a, len(stem_numbers))
            stem_numbers.setdefault(b, len(stem_numbers))
        self.n_stems = len(stem_numbers)
        keys = np.array([stem_numbers[a] * self.n_stems + stem_numbers[b] for (a, b), _ in pairs], dtype=np.uint64)
        self.bigrams = _HashIndex(keys, np.zeros_like(keys), np.array([col for _, col in pairs], dtype=np.int64))
        words = [(term, col) for term, col in vocabulary.items() if " " not in term and not term.startswith("~")]
        self.words = _HashIndex(*_string_hashes([w for w, _ in words]), np.array([c for _, c in words], dtype=np.int64))
        # a stem's column and number, each plus one (0: absent), in one value
        stems = {term[1:]: col for term, col in vocabulary.items() if term.startswith("~")}
        names = sorted(stems.keys() | stem_numbers.keys())
        self.stems = _HashIndex(*_string_hashes(names), np.array(
            [stems.get(n, -1) + 1 | (stem_numbers.get(n, -1) + 1) << 32 for n in names], dtype=np.int64))

    def counts(self, docs: list[list[str]]) -> sparse.csr_matrix:
        """The feature counts of each list of words (one row per list), as ``analyzer`` would count them."""
        lens = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))
        rows = np.repeat(np.arange(len(docs)), lens)
        return self.token_counts(_strings_as_tokens(list(chain.from_iterable(docs)), rows), len(docs))

    def text_counts(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """:meth:`counts` of each text's words (:func:`words_of`), tokenized with arrays (:meth:`token_counts`)."""
        joined = _joined(texts)
        if joined is None:
            return self.counts(words_of_each(texts))
        norm = normalize_text(joined)
        cps = code_points(norm)
        starts, ends = token_spans(cps, word_chars(cps))
        return self.token_counts(Tokens(norm, cps, starts, ends, np.searchsorted(np.flatnonzero(cps == 0), starts)),
                                 len(texts))

    def token_counts(self, tokens: Tokens, n_rows: int) -> sparse.csr_matrix:
        """:meth:`counts` of normalized texts' words given as :class:`~framing.text.Tokens`."""
        cps, starts, ends = tokens.cps, tokens.starts, tokens.ends
        h1, h2 = token_hashes(cps, starts, ends)
        word = self.words.get(h1, h2, -1)
        s_starts, s_ends = stem_spans(cps, starts, ends)
        cut = np.flatnonzero((s_starts != starts) | (s_ends != ends))  # the other words are their own stems
        if len(cut):
            h1, h2 = h1.copy(), h2.copy()
            h1[cut], h2[cut] = token_hashes(cps, s_starts[cut], s_ends[cut])
        stem = self.stems.get(h1, h2)
        return self._count(word, (stem & 0xFFFFFFFF) - 1, (stem >> 32) - 1, tokens.rows, n_rows)

    def _count(self, word: np.ndarray, stem: np.ndarray, number: np.ndarray, row: np.ndarray,
               n_rows: int) -> sparse.csr_matrix:
        """Counts from each word's column, its stem's column and its stem's number (-1: none) and its row
        (rows ascending, words in reading order)."""
        pair = (row[1:] == row[:-1]) & (number[:-1] >= 0) & (number[1:] >= 0)  # stem bigrams within a sentence
        key = (number[:-1][pair] * self.n_stems + number[1:][pair]).astype(np.uint64)
        bigram = self.bigrams.get(key, np.zeros_like(key), -1)
        rows = np.concatenate([row[word >= 0], row[stem >= 0], row[:-1][pair][bigram >= 0]])
        cols = np.concatenate([word[word >= 0], stem[stem >= 0], bigram[bigram >= 0]])
        counts = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                                   shape=(n_rows, len(self.vocabulary)))
        counts.sum_duplicates()
        return counts


@dataclass
class FeatureParts:
    """A table's features in blocks: each sentence's own columns (``own``), then (for the stacked voice
    layer) dense columns of its own (``extra``), then its article's words (``articles``, one row per
    article; ``article_of[i]`` is sentence i's row there). ``full()`` is the matrix the models are fitted
    on; predicting from the blocks spares repeating an article's words on every one of its sentences."""

    own: sparse.csr_matrix
    articles: sparse.csr_matrix | None = None
    article_of: np.ndarray | None = None
    extra: np.ndarray | None = None

    def full(self) -> sparse.csr_matrix:
        blocks = [self.own]
        if self.extra is not None:
            blocks.append(sparse.csr_matrix(self.extra))
        if self.articles is not None:
            blocks.append(self.articles[self.article_of])
        return self.own if len(blocks) == 1 else sparse.hstack(blocks).tocsr()

    def linear(self, weights: np.ndarray, intercepts: np.ndarray) -> np.ndarray:
        """``self.full() @ weights + intercepts`` (one column of ``weights`` per output), block by block."""
        k = self.own.shape[1]
        d = np.asarray(self.own @ weights[:k]) + intercepts
        if self.extra is not None:
            d += self.extra @ weights[k:k + self.extra.shape[1]]
            k += self.extra.shape[1]
        if self.articles is not None:
            d += np.asarray(self.articles @ weights[k:])[self.article_of]
        return d


def article_codes(X: pd.DataFrame) -> np.ndarray:
    """Each row's article number: rows sharing a ``doc_id`` form one article; without ``doc_id``, each row is one."""
    return pd.factorize(X[ARTICLE_COLUMN].to_numpy())[0] if ARTICLE_COLUMN in X else np.arange(len(X))


def article_vectors(tfidf: sparse.csr_matrix, X: pd.DataFrame) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Each article as one vector (the sum of its sentences' TF-IDF rows, scaled to unit length) and
    each row's article number."""
    codes = article_codes(X)
    if ARTICLE_COLUMN not in X:  # each row its own article: its TF-IDF row is of unit length already
        return tfidf, codes
    member = sparse.csr_matrix((np.ones(len(codes), dtype=np.float32), (codes, np.arange(len(codes)))))
    return l2_rows((member @ tfidf).tocsr()), codes


def l2_rows(X: sparse.csr_matrix) -> sparse.csr_matrix:
    """``X`` with each row scaled to unit length, in place: scikit-learn's ``normalize(X)`` bit for bit (each
    row's squares summed in order in double precision, each value divided by the root; empty rows left)."""
    data = X.data
    row = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
    norms = np.sqrt(np.bincount(row, weights=(data * data).astype(np.float64), minlength=X.shape[0]))
    norms[norms == 0] = 1.0
    X.data = (data / norms[row]).astype(data.dtype)
    return X


def tfidf_rows(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """Unit-length TF-IDF rows from term counts (changed in place): ``1 + log(count)`` times the term's IDF
    weight; scikit-learn's ``TfidfTransformer(sublinear_tf=True).transform`` bit for bit."""
    np.log(counts.data, counts.data)
    counts.data += 1.0
    counts.data *= idf[counts.indices]
    return l2_rows(counts)


@dataclass(eq=False)
class TextFeatures:
    """A fitted feature set as plain data (what :class:`framing.classify._Features` learns): TF-IDF over the
    ``vocabulary`` (words, ``~``stems and stem bigrams, each with its column) with its ``idf`` weights; the
    lexicon's scores (times ``lexicon_scale``) and voice (one column per name in ``voices``), unless
    ``voices`` is ``None``; and, at ``article_weight`` above 0, the TF-IDF of the sentence's article."""

    vocabulary: dict[str, int]
    idf: np.ndarray
    voices: tuple[str, ...] | None = None
    lexicon_scale: float = 0.0
    article_weight: float = 0.0
    _columns: _TermColumns | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:  # Python floats: a NumPy scalar would widen float32 features to float64
        self.lexicon_scale, self.article_weight = float(self.lexicon_scale), float(self.article_weight)

    def same_as(self, other: TextFeatures) -> bool:
        """True when ``other`` computes the same features for every input."""
        return (self.vocabulary == other.vocabulary and np.array_equal(self.idf, other.idf)
                and (self.voices, self.lexicon_scale, self.article_weight)
                == (other.voices, other.lexicon_scale, other.article_weight))

    def parts(self, X: pd.DataFrame, tokens: Tokens | None = None) -> FeatureParts:
        """The features of a lexicon table (:data:`INPUT_COLUMNS`, and ``doc_id`` for the articles);
        ``tokens``: its texts' words (normalized), one row per text, when the caller has them
        (:meth:`framing.text.TextBatch.sentence_tokens`)."""
        tfidf = self.tfidf(X["text"], tokens)
        own = [tfidf]
        if self.voices is not None:
            lex = X[LEXICON_COLUMNS].to_numpy(dtype=np.float32)
            own += [sparse.csr_matrix(lex * self.lexicon_scale), self._one_hot(X["voice"])]
        own = sparse.hstack(own).tocsr()
        if not self.article_weight:
            return FeatureParts(own)
        articles, article_of = article_vectors(tfidf, X)
        return FeatureParts(own, articles * self.article_weight, article_of)

    def tfidf(self, texts, tokens: Tokens | None = None) -> sparse.csr_matrix:
        """The TF-IDF rows of texts (or their words: :func:`words_of_each`, or ``tokens``), counted with arrays."""
        if self._columns is None:
            self._columns = _TermColumns(self.vocabulary)
        texts = list(texts)
        if tokens is not None:
            counts = self._columns.token_counts(tokens, len(texts))
        else:
            counts = (self._columns.counts(texts) if all(isinstance(t, list) for t in texts)
                      else self._columns.text_counts(texts))
        return tfidf_rows(counts, self.idf)

    def _one_hot(self, voices: pd.Series) -> sparse.csr_matrix:
        """One column per known voice (scikit-learn's ``OneHotEncoder``, unknown voices ignored)."""
        index = {v: i for i, v in enumerate(self.voices)}
        cols = np.fromiter((index.get(v, -1) for v in voices), dtype=np.int64, count=len(voices))
        known = np.flatnonzero(cols >= 0)
        return sparse.csr_matrix((np.ones(len(known)), (known, cols[known])), shape=(len(cols), len(self.voices)))


def with_neighbours(parts: FeatureParts, X: pd.DataFrame, P: np.ndarray, use_lexicon: bool) -> FeatureParts:
    """The voice layer's features with its probabilities ``P`` for the neighbours and the article appended
    (:func:`neighbour_features`): what the second layer reads."""
    return FeatureParts(parts.own, parts.articles, parts.article_of, neighbour_features(P, X, use_lexicon))


def neighbour_features(P: np.ndarray, X: pd.DataFrame, use_lexicon: bool) -> np.ndarray:
    """Per row: the previous and next row's ``P`` within its article (0 at the edges), the article's
    mean and max, and (``use_lexicon``) the previous row's again where the lexicon says the row continues a speaker."""
    n = len(P)
    codes = article_codes(X)
    same = codes[1:] == codes[:-1]
    prev, nxt = np.zeros_like(P), np.zeros_like(P)
    prev[1:][same] = P[:-1][same]
    nxt[:-1][same] = P[1:][same]
    by_article = pd.DataFrame(P).groupby(codes)
    cols = [prev, nxt, by_article.transform("mean").to_numpy(), by_article.transform("max").to_numpy()]
    if use_lexicon:
        continues = X[CONTINUES_COLUMN].to_numpy(dtype=float) if CONTINUES_COLUMN in X else np.zeros(n)
        cols.append(prev * continues[:, None])
    return np.hstack(cols).astype(np.float32)


