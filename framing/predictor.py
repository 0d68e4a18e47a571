"""A trained frame model's prediction as plain data: arrays, computed with numpy and scipy only.

:mod:`framing.classify` fits scikit-learn estimators; what they learned
(vocabulary, IDF weights, the regressions' weights, the calibration sigmoids,
the thresholds) is kept here as arrays, and the estimators predict through
these same objects. A model folder holds them as ``predict.npz`` (NumPy's
format, read without pickle), so that ``framing analyze`` predicts without
importing scikit-learn or reading the skops files (about 1.2 s per run).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import expit, softmax

from .features import FeatureParts, TextFeatures, features_of, neighbour_features
from .lexicon import FRAMES
from .text import Tokens


@dataclass(eq=False)
class LabelWeights:
    """A logistic regression's ``coef`` (one row per class; one row alone for two classes) and ``intercept``."""

    coef: np.ndarray
    intercept: np.ndarray

    def __post_init__(self) -> None:  # one column per class, in rows as the sparse products read them
        self._columns = np.ascontiguousarray(self.coef.T)

    def proba(self, parts: FeatureParts) -> np.ndarray:
        """Class probabilities: scikit-learn's ``predict_proba`` on ``parts.full()``, block by block."""
        d = parts.linear(self._columns, self.intercept)
        if d.shape[1] == 1:
            p = expit(d.ravel())
            return np.column_stack([1 - p, p])
        return softmax(d, axis=1)


@dataclass(eq=False)
class FrameWeights:
    """Every frame's logistic regressions in one product: ``weights`` (one column per regression: a calibrated
    frame has one per fold) and ``intercepts``; each column's sigmoid calibration (``slopes``, ``offsets``:
    scikit-learn's ``expit(-(a d + b))``) and frame (``frame_of``); per frame, a ``constant`` probability
    (NaN: none; a frame absent from training) and whether it is ``calibrated`` (the mean of its folds)."""

    weights: np.ndarray
    intercepts: np.ndarray
    slopes: np.ndarray
    offsets: np.ndarray
    frame_of: np.ndarray
    constant: np.ndarray
    calibrated: np.ndarray

    def proba(self, parts: FeatureParts) -> np.ndarray:
        """``(n, frames)`` probabilities."""
        d = parts.linear(self.weights, self.intercepts) if len(self.intercepts) else None
        sigmoids = expit(-(d * self.slopes + self.offsets)) if d is not None else None
        proba = np.empty((parts.own.shape[0], len(self.constant)))
        for j, (constant, calibrated) in enumerate(zip(self.constant.tolist(), self.calibrated.tolist())):
            cols = np.flatnonzero(self.frame_of == j).tolist()
            if not np.isnan(constant):
                proba[:, j] = constant
            elif calibrated:  # the mean over its (regression, sigmoid) pairs, as scikit-learn's
                proba[:, j] = np.mean([sigmoids[:, c] for c in cols], axis=0)
            else:
                proba[:, j] = expit(d[:, cols[0]])
        return proba


@dataclass(eq=False)
class VoiceWeights:
    """The voice classifier: its first layer, and (``stack``) the second, which reads the first layer's
    probabilities for the neighbours and the article (:func:`~framing.features.neighbour_features`)."""

    classes: np.ndarray
    first: LabelWeights
    stack: LabelWeights | None = None
    use_lexicon: bool = True

    def proba(self, X: pd.DataFrame, parts: FeatureParts) -> np.ndarray:
        P = self.first.proba(parts)
        if self.stack is None:
            return P
        return self.stack.proba(FeatureParts(parts.own, parts.articles, parts.article_of,
                                             neighbour_features(P, X, self.use_lexicon)))


@dataclass(eq=False)
class Predictor:
    """Frame probabilities, labels and voice for a lexicon table, from plain data. ``voice`` is ``None`` when
    the model takes the lexicon's voice (it was more accurate in training)."""

    frame_features: TextFeatures
    frames: FrameWeights
    thresholds: np.ndarray
    voice_features: TextFeatures | None = None
    voice: VoiceWeights | None = None

    def __post_init__(self) -> None:
        if self.voice_features is not None and self.voice_features.same_as(self.frame_features):
            self.voice_features = self.frame_features  # one computation of the features serves both

    @property
    def shared_features(self) -> bool:
        """Whether both classifiers read the same features (trained on the same sentences, as ``framing train``
        does): then each batch's features are computed once, for both."""
        return self.voice is None or self.voice_features is self.frame_features

    def predict(self, table: pd.DataFrame, tokens: Tokens | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Frame probabilities ``(n, 6)``, 0/1 labels ``(n, 6)`` and voices for a lexicon table; ``tokens``:
        its texts' words, one row per sentence, when the caller has them (:meth:`framing.text.TextBatch.sentence_tokens`)."""
        if table.empty:
            return np.zeros((0, len(FRAMES))), np.zeros((0, len(FRAMES)), dtype=int), np.array([], dtype=object)
        if not self.shared_features:  # two feature sets read the words: tokenize them once, for both
            table, tokens = features_of(table), None
        parts = self.frame_features.parts(table, tokens)
        proba = self.frames.proba(parts)
        labels = (proba >= self.thresholds).astype(int)
        if self.voice is None:
            return proba, labels, table["voice"].to_numpy()
        if not self.shared_features:
            parts = self.voice_features.parts(table)
        return proba, labels, self.voice.classes[np.argmax(self.voice.proba(table, parts), axis=1)]

    def save(self, path: str | Path) -> None:
        """Write the arrays to one ``.npz`` file (no pickled objects in it)."""
        arrays = {"thresholds": self.thresholds, **_features_arrays("frame_", self.frame_features),
                  **{f"frames_{k}": v for k, v in vars(self.frames).items()}}
        if self.voice is not None:
            arrays.update(voice_classes=self.voice.classes.astype(str), voice_use_lexicon=np.array(self.voice.use_lexicon),
                          voice_coef=self.voice.first.coef, voice_intercept=self.voice.first.intercept)
            if self.voice.stack is not None:
                arrays.update(voice_stack_coef=self.voice.stack.coef, voice_stack_intercept=self.voice.stack.intercept)
            if not self.shared_features:
                arrays.update(_features_arrays("voice_", self.voice_features))
        with open(path, "wb") as f:
            np.savez_compressed(f, **arrays)

    @classmethod
    def load(cls, path: str | Path) -> Predictor:
        """Read a file :meth:`save` wrote (``allow_pickle=False``: arrays only)."""
        with np.load(path, allow_pickle=False) as z:
            a = {k: z[k] for k in z.files}
        frame_features = _features_from("frame_", a)
        frames = FrameWeights(**{k[len("frames_"):]: v for k, v in a.items() if k.startswith("frames_")})
        voice = voice_features = None
        if "voice_classes" in a:
            stack = LabelWeights(a["voice_stack_coef"], a["voice_stack_intercept"]) if "voice_stack_coef" in a else None
            voice = VoiceWeights(a["voice_classes"].astype(object), LabelWeights(a["voice_coef"], a["voice_intercept"]),
                                 stack, bool(a["voice_use_lexicon"]))
            voice_features = _features_from("voice_", a) if "voice_idf" in a else frame_features
        return cls(frame_features, frames, a["thresholds"], voice_features, voice)


def _features_arrays(prefix: str, f: TextFeatures) -> dict[str, np.ndarray]:
    terms = sorted(f.vocabulary, key=f.vocabulary.__getitem__)
    return {f"{prefix}terms": np.array(terms, dtype=str), f"{prefix}idf": f.idf,
            f"{prefix}voices": np.array(f.voices or (), dtype=str), f"{prefix}use_lexicon": np.array(f.voices is not None),
            f"{prefix}lexicon_scale": np.array(f.lexicon_scale), f"{prefix}article_weight": np.array(f.article_weight)}


def _features_from(prefix: str, a: dict[str, np.ndarray]) -> TextFeatures:
    voices = tuple(a[f"{prefix}voices"].tolist()) if a[f"{prefix}use_lexicon"] else None
    return TextFeatures({t: i for i, t in enumerate(a[f"{prefix}terms"].tolist())}, a[f"{prefix}idf"], voices,
                        a[f"{prefix}lexicon_scale"].item(), a[f"{prefix}article_weight"].item())
