"""The trained classifiers: scikit-learn estimators for frames (multi-label) and voice.

Both take ``X`` as a DataFrame with a ``text`` column and, when
``use_lexicon`` is on, the lexicon scorer's columns (``score_<frame>`` and
``voice``: exactly what ``framing.analyze`` puts in ``Results.sentences``);
:func:`lexicon_table` computes them for sentences that come without. With
``article_weight`` above 0 a sentence is also read with its article, as the
codebook's coders read it: the rows that share a ``doc_id`` form one article
(a table without ``doc_id`` makes each row its own article). They
follow the estimator conventions (``fit``, ``predict_proba``, ``get_params``)
and so work in ``Pipeline``, ``cross_validate`` and ``GridSearchCV``.
"""
from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.special import expit, softmax
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.preprocessing import OneHotEncoder, normalize

from .lexicon import FRAMES, VOICES
from .text import TOKEN_RE, Tokens, code_points, normalize_text, token_hashes, token_spans, word_chars

# Light stems: one proclitic off (the first of _PREFIXES that fits), then one suffix (the longest that fits),
# each only where STEM_MIN letters or digits stay next to it
_PREFIXES = ("وال", "فال", "بال", "كال", "لل", "ال", "و", "ف")
_SUFFIXES = ("ات", "ون", "ين", "ها", "هم", "هن", "كم", "نا", "ه", "ي")
STEM_MIN = 3
_PREFIX = re.compile(rf"^(?:{'|'.join(_PREFIXES)})(?=\w{{{STEM_MIN},}})")
_SUFFIX = re.compile(rf"(?<=\w{{{STEM_MIN}}})(?:{'|'.join(_SUFFIXES)})$")
LEXICON_COLUMNS = [f"score_{f}" for f in FRAMES]
ARTICLE_COLUMN = "doc_id"
ARTICLE_WEIGHT = 0.5  # weight of the article's words next to the sentence's own (grouped CV: 0.5 beat 1.0 and 0)


class _Stems(dict):
    """Light stems (one proclitic and one suffix off), each word stemmed once: words repeat."""

    LIMIT = 1 << 19  # forget everything past this many distinct words (bounded memory on huge corpora)

    def __missing__(self, word: str) -> str:
        if len(self) >= self.LIMIT:
            self.clear()
        stem = self[word] = _SUFFIX.sub("", _PREFIX.sub("", word))
        return stem


_STEMS = _Stems()


def words_of(text: str) -> list[str]:
    """A sentence's normalized words: what :func:`analyzer` builds its features from."""
    return TOKEN_RE.findall(normalize_text(text))


def analyzer(text: str | list[str]) -> list[str]:
    """Features of a sentence: normalized words, their light stems, and stem bigrams.

    A list is taken as the sentence's words (:func:`words_of`), so that a table is tokenized once
    (:func:`features_of`) for every fold and classifier.
    """
    words = text if isinstance(text, list) else words_of(text)
    stems = list(map(_STEMS.__getitem__, words))
    feats = words + ["~" + s for s in stems]
    feats += [f"{a} {b}" for a, b in zip(stems, stems[1:])]
    return feats


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


def lexicon_table(texts: Sequence[str], groups: Sequence[str] | None = None, lexicon=None) -> pd.DataFrame:
    """Lexicon scores and voice for sentences, scored in order within each group (article), as analyze does,
    and (when the lexicon has scope terms) the scope each sentence names (codebook P22). Given groups, they
    are the table's ``doc_id``: the articles the classifiers read sentences with."""
    from .api import scorer

    table = pd.DataFrame({"text": list(texts)})
    if groups is not None:
        table[ARTICLE_COLUMN] = list(groups)
    keys = table[ARTICLE_COLUMN].astype(str).tolist() if groups is not None else [str(i) for i in range(len(table))]
    sc = scorer(lexicon)
    scored = pd.DataFrame([{**{f"score_{f}": s.scores[f] for f in FRAMES}, "voice": s.voice,
                            CONTINUES_COLUMN: s.continues, "scope": s.scope}
                           for s in sc.score_in_order(table["text"].tolist(), keys)],
                          columns=[*LEXICON_COLUMNS, "voice", CONTINUES_COLUMN, "scope"], index=table.index)
    table = table.join(scored)
    return table if sc.checks_scope else table.drop(columns="scope")


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

    def decision(self, model) -> np.ndarray:
        """``model.decision_function(self.full())`` for a linear model, computed block by block."""
        d = self.linear(model.coef_.T, model.intercept_)
        return d.ravel() if d.shape[1] == 1 else d

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
    return normalize(member @ tfidf).tocsr(), codes


class _Features(BaseEstimator):
    """TF-IDF over words, stems and bigrams, plus (optionally) the same for the sentence's article
    at ``article_weight``, and the lexicon's scores and voice."""

    def __init__(self, use_lexicon: bool = True, min_df: int = 2, max_features: int | None = 50000,
                 article_weight: float = 0.0):
        self.use_lexicon = use_lexicon
        self.min_df = min_df
        self.max_features = max_features
        self.article_weight = article_weight

    def __getstate__(self) -> dict:
        """Saved state with the vocabulary as one array of terms (in column order): skops loads a
        50,000-entry dict in seconds, an array in milliseconds."""
        state = {k: v for k, v in super().__getstate__().items() if k != "_columns"}  # a cache, rebuilt on use
        tfidf = state.get("tfidf_")
        if tfidf is not None and tfidf.vocabulary_:
            terms = sorted(tfidf.vocabulary_, key=tfidf.vocabulary_.__getitem__)
            tfidf = copy.copy(tfidf)
            tfidf.vocabulary_ = {}
            state = dict(state, tfidf_=tfidf, terms_=np.array(terms, dtype=str))
        return state

    def __setstate__(self, state: dict) -> None:
        terms = state.pop("terms_", None)
        state.setdefault("article_weight", 0.0)  # models saved before articles were read
        super().__setstate__(state)
        if terms is not None:
            self.tfidf_.vocabulary_ = {term: i for i, term in enumerate(terms.tolist())}

    def fit(self, X: pd.DataFrame, y=None):
        X = _as_frame(X, self.use_lexicon)
        self.tfidf_ = TfidfVectorizer(analyzer=analyzer, min_df=self.min_df, sublinear_tf=True,
                                      max_features=self.max_features, dtype=np.float32)
        self.tfidf_.fit(X["text"])
        self.tfidf_.stop_words_ = None  # the pruned terms: only needed for introspection, and large on disk
        if self.use_lexicon:
            self.lexicon_scale_ = LEXICON_FEATURE_SCALE
            self.voice_ = OneHotEncoder(categories=[list(VOICES)], handle_unknown="ignore").fit(X[["voice"]])
        return self

    def same_as(self, other: "_Features") -> bool:
        """True when ``other`` computes the same features for every input (same settings, terms, IDF
        weights and voice categories), so that one computation serves both classifiers."""
        a, b = self.tfidf_, other.tfidf_
        return (self.get_params() == other.get_params() and a.vocabulary_ == b.vocabulary_
                and np.array_equal(a.idf_, b.idf_)
                and getattr(self, "lexicon_scale_", None) == getattr(other, "lexicon_scale_", None)
                and (not self.use_lexicon or all(map(np.array_equal, self.voice_.categories_, other.voice_.categories_))))

    def transform(self, X: pd.DataFrame) -> sparse.csr_matrix:
        return self.parts(X).full()

    def parts(self, X: pd.DataFrame, tokens: Tokens | None = None) -> FeatureParts:
        """The features of a table; ``tokens``: its texts' words (normalized), one row per text, when the
        caller has them (:meth:`framing.text.TextBatch.sentence_tokens`)."""
        X = _as_frame(X, self.use_lexicon)
        tfidf = self._tfidf(X["text"], tokens)
        own = [tfidf]
        if self.use_lexicon:
            lex = X[LEXICON_COLUMNS].to_numpy(dtype=np.float32)
            scale = getattr(self, "lexicon_scale_", 3.0)  # models saved before the scale was stored used 3.0
            own += [sparse.csr_matrix(lex * scale), self.voice_.transform(X[["voice"]])]
        own = sparse.hstack(own).tocsr()
        if not self.article_weight:
            return FeatureParts(own)
        articles, article_of = article_vectors(tfidf, X)
        return FeatureParts(own, articles * self.article_weight, article_of)

    def _tfidf(self, texts, tokens: Tokens | None = None) -> sparse.csr_matrix:
        """``tfidf_.transform(texts)`` (texts, or their words: :func:`features_of`, or ``tokens``), counted
        with arrays."""
        columns = getattr(self, "_columns", None)
        if columns is None or columns.vocabulary is not self.tfidf_.vocabulary_:
            columns = self._columns = _TermColumns(self.tfidf_.vocabulary_)
        texts = list(texts)
        if tokens is not None:
            counts = columns.token_counts(tokens, len(texts))
        else:
            counts = columns.counts(texts) if all(isinstance(t, list) for t in texts) else columns.text_counts(texts)
        return self.tfidf_._tfidf.transform(counts, copy=False)


LEXICON_FEATURE_SCALE = 0.3  # lexicon scores enter a little below single TF-IDF weights (grouped CV: 3.0 and 1.0 did worse)


def _as_frame(X, use_lexicon: bool) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        if "text" not in X:
            raise ValueError("X needs a 'text' column")
        if use_lexicon and not set(LEXICON_COLUMNS + ["voice"]) <= set(X.columns):
            return lexicon_table(list(X["text"]), X[ARTICLE_COLUMN].tolist() if ARTICLE_COLUMN in X else None)
        return X
    texts = list(X)
    return lexicon_table(texts) if use_lexicon else pd.DataFrame({"text": texts})


class FrameClassifier(ClassifierMixin, BaseEstimator):
    """Multi-label frame classifier: one calibrated logistic regression per frame.

    ``predict_proba`` returns an ``(n, 6)`` array of frame probabilities in
    ``FRAMES`` order; ``predict`` applies ``thresholds_`` (per frame, chosen by
    :func:`framing.evaluate.choose_thresholds`, 0.5 until then).
    """

    def __init__(self, C: float = 16.0, use_lexicon: bool = True, calibrate: bool = True,
                 class_weight: str | None = "balanced", min_df: int = 2, article_weight: float = ARTICLE_WEIGHT):
        self.C = C
        self.use_lexicon = use_lexicon
        self.calibrate = calibrate
        self.class_weight = class_weight
        self.min_df = min_df
        self.article_weight = article_weight

    def fit(self, X, y):
        y = np.asarray(y)
        if y.ndim != 2 or y.shape[1] != len(FRAMES):
            raise ValueError(f"y must be an (n, {len(FRAMES)}) 0/1 matrix in the order {FRAMES}")
        self.features_ = _Features(self.use_lexicon, self.min_df, article_weight=self.article_weight).fit(X)
        Z = self.features_.transform(X)
        base = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=2000, solver="liblinear", dual=True,
                                  random_state=0)
        self.models_ = []
        for j in range(len(FRAMES)):
            yj = y[:, j]
            if yj.min() == yj.max():  # a frame absent from this training slice
                self.models_.append(float(yj[0]))
                continue
            model = CalibratedClassifierCV(clone(base), method="sigmoid", cv=3) if self.calibrate and min(
                yj.sum(), len(yj) - yj.sum()) >= 3 else clone(base)
            self.models_.append(model.fit(Z, yj))
        self.classes_ = np.array(FRAMES)
        if not hasattr(self, "thresholds_"):
            self.thresholds_ = np.full(len(FRAMES), 0.5)
        return self

    def predict_proba(self, X, parts: FeatureParts | None = None) -> np.ndarray:
        """Frame probabilities; ``parts``: ``X``'s features computed already (:meth:`_Features.same_as`).
        Every frame's regressions are applied in one product (:meth:`_linear`)."""
        parts = self.features_.parts(X) if parts is None else parts
        weights, intercepts, columns, (slopes, offsets) = self._linear()
        d = parts.linear(weights, intercepts) if len(intercepts) else None  # (None: every frame constant)
        # every fold's sigmoid at once (scikit-learn's _SigmoidCalibration.predict: expit(-(a * d + b)))
        calibrated = expit(-(d * slopes + offsets)) if d is not None else None
        proba = np.empty((parts.own.shape[0], len(self.models_)))
        for j, (m, cols) in enumerate(zip(self.models_, columns)):
            if isinstance(m, float):
                proba[:, j] = m
            elif isinstance(m, CalibratedClassifierCV):  # the mean over its (regression, sigmoid) pairs, as scikit-learn's
                proba[:, j] = np.mean([calibrated[:, c] for c in cols], axis=0)
            else:
                proba[:, j] = expit(d[:, cols[0]])
        return proba

    def _linear(self) -> tuple[np.ndarray | None, np.ndarray, list[list[int]], tuple[np.ndarray, np.ndarray]]:
        """The weights (one column per logistic regression: a calibrated frame has one per fold) and
        intercepts of every frame's regressions, each frame's columns, and each column's sigmoid
        calibration (slope and offset; unused for an uncalibrated frame); built once per fitted ``models_``."""
        cached = getattr(self, "_weights", None)
        if cached is None or cached[0] is not self.models_:
            regs, columns, sigmoids = [], [], []
            for m in self.models_:
                folds = ([] if isinstance(m, float) else
                         [(p.estimator, (p.calibrators[0].a_, p.calibrators[0].b_)) for p in m.calibrated_classifiers_]
                         if isinstance(m, CalibratedClassifierCV) else [(m, (0.0, 0.0))])
                columns.append(list(range(len(regs), len(regs) + len(folds))))
                regs += [reg for reg, _ in folds]
                sigmoids += [sigmoid for _, sigmoid in folds]
            weights = np.column_stack([r.coef_.ravel() for r in regs]) if regs else None
            intercepts = np.array([r.intercept_[0] for r in regs])
            slopes, offsets = np.array(sigmoids, dtype=float).reshape(-1, 2).T
            cached = self._weights = (self.models_, weights, intercepts, columns, (slopes, offsets))
        return cached[1:]

    def __getstate__(self) -> dict:
        return {k: v for k, v in super().__getstate__().items() if k != "_weights"}  # a cache, rebuilt on use

    def predict(self, X) -> np.ndarray:
        return (self.predict_proba(X) >= self.thresholds_).astype(int)


class LabelClassifier(ClassifierMixin, BaseEstimator):
    """A single-label text classifier (logistic regression over the same text features).

    Used for voice (with the lexicon's attribution as features) and, with
    ``use_lexicon=False``, for any labelled text set (e.g. ArAIEval's propaganda labels).
    """

    def __init__(self, C: float = 4.0, use_lexicon: bool = True, min_df: int = 2, article_weight: float = 0.0,
                 class_weight: str | None = "balanced"):
        self.C = C
        self.use_lexicon = use_lexicon
        self.min_df = min_df
        self.article_weight = article_weight
        self.class_weight = class_weight

    def fit(self, X, y):
        self.features_ = _Features(self.use_lexicon, self.min_df, article_weight=self.article_weight).fit(X)
        self.model_ = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=3000, random_state=0).fit(
            self.features_.transform(X), np.asarray(y))
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X, parts: FeatureParts | None = None) -> np.ndarray:
        """``model_.predict_proba`` on the features, computed from their blocks (:class:`FeatureParts`);
        ``parts``: ``X``'s features computed already (:meth:`_Features.same_as`)."""
        return _label_proba(self.model_, self.features_.parts(X) if parts is None else parts)

    def predict(self, X, parts: FeatureParts | None = None) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X, parts), axis=1)]


def _label_proba(model, parts: FeatureParts) -> np.ndarray:
    """``model.predict_proba(parts.full())`` of a logistic regression."""
    d = parts.decision(model)
    if d.ndim == 1:
        p = expit(d)
        return np.column_stack([1 - p, p])
    return softmax(d, axis=1)


# Voices as they come, not reweighted to equal shares: the target is accuracy over sentences as coded, and
# on 20,748 gold sentences unweighted fitting gave 0.830 against 0.826 with macro-F1 unchanged (0.804, 0.803).
VOICE_CLASS_WEIGHT = None
CONTINUES_COLUMN = "voice_continues"  # the lexicon's rules: a reporting verb opens the sentence with no speaker (P5)
INPUT_COLUMNS = ["text", *LEXICON_COLUMNS, "voice", CONTINUES_COLUMN]  # what the classifiers read of a lexicon table


class VoiceClassifier(LabelClassifier):
    """Voice (authorial / official / other_source) from words and the lexicon's attribution, read with the article.

    With ``neighbours`` (the default) in two layers, as a coder reads on from sentence to sentence:
    the first layer's voice probabilities for the previous and next sentence and for the article
    (mean and max), and the previous sentence's where the lexicon sees a sentence continue a
    speaker (``voice_continues``, codebook P5), are features of the second. Rows of an article
    must be contiguous and in reading order, as ``framing.analyze`` and the gold files give them;
    the first layer's probabilities for training come from grouped ``inner_splits``-fold
    cross-validation, so that the second layer learns how far to trust them on unseen articles.
    """

    def __init__(self, C: float = 4.0, use_lexicon: bool = True, min_df: int = 2, article_weight: float = ARTICLE_WEIGHT,
                 neighbours: bool = True, inner_splits: int = 3, class_weight: str | None = VOICE_CLASS_WEIGHT):
        super().__init__(C, use_lexicon, min_df, article_weight, class_weight)
        self.neighbours = neighbours
        self.inner_splits = inner_splits

    def fit(self, X, y):
        y = np.asarray(y)
        X = _as_frame(X, self.use_lexicon)
        super().fit(X, y)  # the first layer: features_, model_, classes_
        if not self.neighbours:
            return self
        first = LabelClassifier(self.C, self.use_lexicon, self.min_df, self.article_weight, self.class_weight)
        groups = article_codes(X)
        P = np.zeros((len(y), len(self.classes_)))
        for tr, te in GroupKFold(min(self.inner_splits, len(np.unique(groups)))).split(X, y, groups):
            m = clone(first).fit(X.iloc[tr], y[tr])
            P[np.ix_(te, np.searchsorted(self.classes_, m.classes_))] = m.predict_proba(X.iloc[te])
        self.stack_ = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=3000, random_state=0).fit(
            self._stacked(self.features_.parts(X), X, P).full(), y)
        return self

    def predict_proba(self, X, parts: FeatureParts | None = None) -> np.ndarray:
        """Voice probabilities; ``parts``: ``X``'s features computed already (:meth:`_Features.same_as`)."""
        X = _as_frame(X, self.use_lexicon)
        parts = self.features_.parts(X) if parts is None else parts  # computed once, for both layers
        P = _label_proba(self.model_, parts)
        return _label_proba(self.stack_, self._stacked(parts, X, P)) if getattr(self, "stack_", None) is not None else P

    def _stacked(self, parts: FeatureParts, X: pd.DataFrame, P: np.ndarray) -> FeatureParts:
        """The first layer's features with its probabilities for the neighbours and the article appended."""
        return FeatureParts(parts.own, parts.articles, parts.article_of, neighbour_features(P, X, self.use_lexicon))


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
