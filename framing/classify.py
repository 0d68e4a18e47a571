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

What a fitted classifier learned is also plain data (:meth:`_Features.arrays`,
:meth:`FrameClassifier.weights`, :meth:`VoiceClassifier.weights`, :func:`predictor`),
and the estimators predict through it: the same code and the same bits as a
saved model's ``predict.npz`` (:mod:`framing.predictor`).
"""
from __future__ import annotations

import copy
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.preprocessing import OneHotEncoder

from .features import (ARTICLE_COLUMN, CONTINUES_COLUMN, LEXICON_COLUMNS, STEM_MIN, FeatureParts, TextFeatures,
                       _PREFIXES, _SUFFIXES, article_codes, with_neighbours, words_of)
from .lexicon import FRAMES, VOICES
from .predictor import FrameWeights, LabelWeights, Predictor, VoiceWeights
from .text import Tokens

# the features' light stems (framing.features.stem_spans) as regular expressions, for the analyzer fitting reads with
_PREFIX = re.compile(rf"^(?:{'|'.join(_PREFIXES)})(?=\w{{{STEM_MIN},}})")
_SUFFIX = re.compile(rf"(?<=\w{{{STEM_MIN}}})(?:{'|'.join(_SUFFIXES)})$")
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
        state = {k: v for k, v in super().__getstate__().items() if k != "_arrays"}  # a cache, rebuilt on use
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

    def arrays(self) -> TextFeatures:
        """The fitted features as plain data, which compute them (:meth:`TextFeatures.parts`); made once per fit."""
        voices = tuple(self.voice_.categories_[0].tolist()) if self.use_lexicon else None
        scale = getattr(self, "lexicon_scale_", 3.0)  # models saved before the scale was stored used 3.0
        cached = getattr(self, "_arrays", None)
        if (cached is None or cached.vocabulary is not self.tfidf_.vocabulary_ or cached.idf is not self.tfidf_.idf_
                or (cached.voices, cached.lexicon_scale, cached.article_weight) != (voices, scale, self.article_weight)):
            cached = self._arrays = TextFeatures(self.tfidf_.vocabulary_, self.tfidf_.idf_, voices, scale,
                                                 self.article_weight)
        return cached

    def same_as(self, other: "_Features") -> bool:
        """True when ``other`` computes the same features for every input (same terms, IDF weights,
        voice categories and weights), so that one computation serves both classifiers."""
        return self.arrays().same_as(other.arrays())

    def transform(self, X: pd.DataFrame):
        return self.parts(X).full()

    def parts(self, X: pd.DataFrame, tokens: Tokens | None = None) -> FeatureParts:
        """The features of a table; ``tokens``: its texts' words (normalized), one row per text, when the
        caller has them (:meth:`framing.text.TextBatch.sentence_tokens`)."""
        return self.arrays().parts(_as_frame(X, self.use_lexicon), tokens)


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
        Every frame's regressions are applied in one product (:meth:`weights`)."""
        return self.weights().proba(self.features_.parts(X) if parts is None else parts)

    def weights(self) -> FrameWeights:
        """The weights and intercepts of every frame's regressions (a calibrated frame has one per fold) and
        their sigmoid calibrations, as one product; made once per fitted ``models_``."""
        cached = getattr(self, "_weights", None)
        if cached is None or cached[0] is not self.models_:
            regs, frame_of, sigmoids = [], [], []
            constant, calibrated = np.full(len(self.models_), np.nan), np.zeros(len(self.models_), dtype=bool)
            for j, m in enumerate(self.models_):
                if isinstance(m, float):
                    constant[j] = m
                    continue
                calibrated[j] = isinstance(m, CalibratedClassifierCV)
                folds = ([(p.estimator, (p.calibrators[0].a_, p.calibrators[0].b_)) for p in m.calibrated_classifiers_]
                         if calibrated[j] else [(m, (0.0, 0.0))])
                frame_of += [j] * len(folds)
                regs += [reg for reg, _ in folds]
                sigmoids += [sigmoid for _, sigmoid in folds]
            weights = np.column_stack([r.coef_.ravel() for r in regs]) if regs else np.zeros((0, 0))
            slopes, offsets = np.array(sigmoids, dtype=float).reshape(-1, 2).T
            cached = self._weights = (self.models_, FrameWeights(
                weights, np.array([r.intercept_[0] for r in regs], dtype=float), slopes, offsets,
                np.array(frame_of, dtype=np.int64), constant, calibrated))
        return cached[1]

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
        return _weights(self.model_).proba(self.features_.parts(X) if parts is None else parts)

    def predict(self, X, parts: FeatureParts | None = None) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X, parts), axis=1)]


def _weights(model) -> LabelWeights:
    return LabelWeights(model.coef_, model.intercept_)


# Voices as they come, not reweighted to equal shares: the target is accuracy over sentences as coded, and
# on 20,748 gold sentences unweighted fitting gave 0.830 against 0.826 with macro-F1 unchanged (0.804, 0.803).
VOICE_CLASS_WEIGHT = None


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
            with_neighbours(self.features_.parts(X), X, P, self.use_lexicon).full(), y)
        return self

    def predict_proba(self, X, parts: FeatureParts | None = None) -> np.ndarray:
        """Voice probabilities; ``parts``: ``X``'s features computed already (:meth:`_Features.same_as`)."""
        X = _as_frame(X, self.use_lexicon)
        return self.weights().proba(X, self.features_.parts(X) if parts is None else parts)  # features once, for both layers

    def weights(self) -> VoiceWeights:
        """Both layers' weights (the first alone without ``neighbours``)."""
        stack = getattr(self, "stack_", None)
        return VoiceWeights(self.classes_, _weights(self.model_), None if stack is None else _weights(stack), self.use_lexicon)


def predictor(frames: FrameClassifier, voice: VoiceClassifier | None) -> Predictor:
    """The fitted classifiers as plain data, which predict the same (:class:`~framing.predictor.Predictor`);
    ``voice``: ``None`` where the lexicon's voice is taken instead."""
    return Predictor(frames.features_.arrays(), frames.weights(), frames.thresholds_,
                     None if voice is None else voice.features_.arrays(), None if voice is None else voice.weights())
