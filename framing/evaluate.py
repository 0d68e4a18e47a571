"""Validation against human coding: grouped cross-validation of lexicon, classifier and combined."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, brier_score_loss, f1_score, precision_recall_fscore_support
from sklearn.model_selection import GroupKFold

from .classify import FrameClassifier, VoiceClassifier
from .features import features_of
from .lexicon import FRAMES, VOICES
from .rules import article_scope, closed_frames

THRESHOLD_GRID = np.round(np.arange(0.1, 0.91, 0.05), 2)
MODES = ("lexicon", "classifier", "combined")


def choose_thresholds(y: np.ndarray, proba: np.ndarray) -> np.ndarray:
    """Per frame, the threshold on the grid that maximizes F1 (ties: the one nearest 0.5)."""
    out = np.full(y.shape[1], 0.5)
    for j in range(y.shape[1]):
        best = max(THRESHOLD_GRID, key=lambda t: (f1_score(y[:, j], proba[:, j] >= t, zero_division=0), -abs(t - 0.5)))
        out[j] = best
    return out


def oof_predict(make, X: pd.DataFrame, y: np.ndarray, groups: np.ndarray, n_splits: int,
                method: str = "predict_proba") -> np.ndarray:
    """Out-of-fold predictions (``method`` of a fresh estimator from ``make()``) under grouped K-fold."""
    out = np.zeros(y.shape, dtype=float) if method == "predict_proba" else np.empty(len(y), dtype=object)
    for tr, te in GroupKFold(n_splits=n_splits).split(X, y, groups):
        out[te] = getattr(make().fit(X.iloc[tr], y[tr]), method)(X.iloc[te])
    return out


def fit_with_thresholds(X: pd.DataFrame, y: np.ndarray, groups: np.ndarray, use_lexicon: bool,
                        inner_splits: int = 3) -> FrameClassifier:
    """Fit a frame classifier and set per-frame thresholds from grouped inner cross-validation."""
    make = lambda: FrameClassifier(use_lexicon=use_lexicon)  # noqa: E731
    splits = min(inner_splits, len(np.unique(groups)))
    thresholds = choose_thresholds(y, oof_predict(make, X, y, groups, splits)) if splits >= 2 else np.full(len(FRAMES), 0.5)
    model = make().fit(X, y)
    model.thresholds_ = thresholds
    return model


def fold_frames(X: pd.DataFrame, y: np.ndarray, groups: np.ndarray, closed: np.ndarray, train: np.ndarray,
                test: np.ndarray, use_lexicon: bool) -> tuple[np.ndarray, np.ndarray]:
    """Frame probabilities and labels for the rows ``test`` from a model fitted, with its thresholds, on the rows
    ``train``; frames that ``closed`` marks (codebook P22) get probability 0."""
    model = fit_with_thresholds(X.iloc[train], y[train], groups[train], use_lexicon)
    proba = np.where(closed[test], 0.0, model.predict_proba(X.iloc[test]))
    return proba, (proba >= model.thresholds_).astype(int)


def closed_mask(scopes, groups) -> np.ndarray:
    """``(n, frames)``: True where codebook P22 closes a frame, from each sentence's scope and its article."""
    by_article: dict = {}
    for scope, g in zip(scopes, groups):
        by_article.setdefault(g, []).append((scope, ""))
    closed = {g: closed_frames(article_scope(v)[0]) for g, v in by_article.items()}
    return np.array([[f in closed[g] for f in FRAMES] for g in groups], dtype=bool).reshape(len(groups), len(FRAMES))


@dataclass
class Evaluation:
    """Cross-validated predictions of every mode, and the tables computed from them."""

    y: np.ndarray
    voice: np.ndarray
    proba: dict[str, np.ndarray] = field(default_factory=dict)
    pred: dict[str, np.ndarray] = field(default_factory=dict)
    voice_pred: dict[str, np.ndarray] = field(default_factory=dict)
    n_groups: int = 0
    lexicon_thresholds: np.ndarray | None = None  # per frame, chosen on all sentences: for the lexicon file

    def frame_table(self) -> pd.DataFrame:
        rows = []
        for mode in self.pred:
            p, r, f, s = precision_recall_fscore_support(self.y, self.pred[mode], zero_division=0)
            for j, frame in enumerate(FRAMES):
                rows.append({"mode": mode, "frame": frame, "precision": p[j], "recall": r[j], "f1": f[j],
                             "support": int(s[j]), "brier": brier_score_loss(self.y[:, j], np.clip(self.proba[mode][:, j], 0, 1))})
        return pd.DataFrame(rows)

    def summary_table(self) -> pd.DataFrame:
        rows = []
        for mode in self.pred:
            rows.append({"mode": mode,
                         "macro_f1": f1_score(self.y, self.pred[mode], average="macro", zero_division=0),
                         "micro_f1": f1_score(self.y, self.pred[mode], average="micro", zero_division=0),
                         "min_frame_f1": f1_score(self.y, self.pred[mode], average=None, zero_division=0).min(),
                         "brier_mean": float(np.mean([brier_score_loss(self.y[:, j], np.clip(self.proba[mode][:, j], 0, 1))
                                                      for j in range(len(FRAMES))])),
                         "voice_accuracy": accuracy_score(self.voice, self.voice_pred[mode]),
                         "voice_macro_f1": f1_score(self.voice, self.voice_pred[mode], average="macro", zero_division=0)})
        return pd.DataFrame(rows)

    def confusion(self, mode: str = "combined") -> pd.DataFrame:
        """Rows: the gold frame; columns: how often each frame was predicted for those sentences (and 'none')."""
        pred = self.pred[mode]
        m = pd.DataFrame(0, index=list(FRAMES), columns=list(FRAMES) + ["none"])
        for i, frame in enumerate(FRAMES):
            rows = self.y[:, i] == 1
            m.loc[frame, list(FRAMES)] = pred[rows].sum(axis=0)
            m.loc[frame, "none"] = int((pred[rows].sum(axis=1) == 0).sum())
        return m


def cross_validate_gold(X: pd.DataFrame, y: np.ndarray, voice: np.ndarray, groups: np.ndarray,
                        n_splits: int = 5) -> Evaluation:
    """Grouped K-fold (no article on both sides) for lexicon only, classifier only and combined."""
    X = features_of(X)  # every sentence analysed once, not once per fold and classifier
    voice = np.asarray(voice)
    ev = Evaluation(y=y, voice=voice, n_groups=len(np.unique(groups)))
    # the predictions of every mode pass through the article-scope rule, as in framing analyze
    closed = closed_mask(X["scope"], groups) if "scope" in X else np.zeros(y.shape, dtype=bool)
    lex = np.where(closed, 0.0, X[[f"score_{f}" for f in FRAMES]].to_numpy(dtype=float))
    ev.proba["lexicon"] = lex
    ev.pred["lexicon"] = np.zeros(y.shape, dtype=int)
    for tr, te in GroupKFold(n_splits=n_splits).split(X, y, groups):  # thresholds from the training folds only
        ev.pred["lexicon"][te] = lex[te] >= choose_thresholds(y[tr], lex[tr])
    ev.lexicon_thresholds = choose_thresholds(y, lex)
    ev.voice_pred["lexicon"] = X["voice"].to_numpy()
    for mode, use_lex in (("classifier", False), ("combined", True)):
        proba = np.zeros(y.shape)
        pred = np.zeros(y.shape, dtype=int)
        for tr, te in GroupKFold(n_splits=n_splits).split(X, y, groups):
            proba[te], pred[te] = fold_frames(X, y, groups, closed, tr, te, use_lex)
        ev.proba[mode], ev.pred[mode] = proba, pred
        ev.voice_pred[mode] = oof_predict(lambda: VoiceClassifier(use_lexicon=use_lex), X, voice, groups, n_splits,  # noqa: B023
                                        method="predict")
    return ev


def evaluate_saved(model, paths) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """A saved frame model on coded data it was not trained on: ``(summary, per_frame, articles)``, each
    table with the article-scope rule (codebook P22) as ``framing analyze`` applies it and without it."""
    table, y, voice, groups, _ = gold_table(paths)
    _, pred, vpred = model.predict(table)
    variants = {"without scope rule": pred}
    if "scope" in table:
        variants = {"with scope rule": np.where(closed_mask(table["scope"], groups), 0, pred)} | variants
    rows, summary = [], []
    for name, p in variants.items():
        prec, rec, f1, n = precision_recall_fscore_support(y, p, zero_division=0)
        rows += [{"rule": name, "frame": f, "coded": int(n[j]), "labelled": int(p[:, j].sum()),
                  "precision": prec[j], "recall": rec[j], "f1": f1[j]} for j, f in enumerate(FRAMES)]
        summary.append({"rule": name, "macro_f1": f1_score(y, p, average="macro", zero_division=0),
                        "micro_f1": f1_score(y, p, average="micro", zero_division=0),
                        "labelled": int(p.any(axis=1).sum()), "coded": int(y.any(axis=1).sum()),
                        "sentences": len(y), "voice_accuracy": accuracy_score(voice, vpred)})
    return pd.DataFrame(summary), pd.DataFrame(rows), len(set(groups))


__all__ = ["cross_validate_gold", "evaluate_saved", "choose_thresholds", "fit_with_thresholds", "Evaluation", "VOICES"]


def gold_table(paths, lexicon=None) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray, pd.DataFrame]:
    """Gold files as the classifiers' input: lexicon table, frame matrix, voices, article groups, raw records."""
    from .classify import lexicon_table
    from .gold import load_gold

    gold = load_gold(paths)
    table = lexicon_table(list(gold["text"]), list(gold["group"]), lexicon)
    return table, gold[list(FRAMES)].to_numpy(), gold["voice"].to_numpy(), gold["group"].to_numpy(), gold


def report_tables(ev: Evaluation) -> dict[str, pd.DataFrame]:
    """The tables a methods section cites."""
    frames = ev.frame_table()
    return {
        "summary": ev.summary_table(),
        "f1": frames.pivot(index="frame", columns="mode", values="f1").reindex(list(FRAMES))[list(MODES)],
        "per_frame": frames,
        "confusion": ev.confusion("combined"),
    }


def evaluation_block(evaluation: dict, source: str) -> dict:
    """What a model keeps of ``framing evaluate``'s ``evaluation.json``: the combined mode's figures.

    Reports and ``summary.json`` show it next to the results, so that a reader sees how the
    model that produced them did under grouped cross-validation.
    """
    try:
        combined = next(r for r in evaluation["summary"] if r["mode"] == "combined")
        f1 = evaluation["f1"]
        per_frame = {f: {"f1": f1["combined"][f]} for f in FRAMES}
    except (KeyError, StopIteration, TypeError) as exc:
        missing = exc.args[0] if isinstance(exc, KeyError) else "a combined row"
        raise ValueError(f"{source}: not an evaluation.json written by framing evaluate (no {missing!r})") from exc
    return {"source": source, "mode": "lexicon+classifier (combined)",
            "method": f"grouped {evaluation.get('folds', 5)}-fold cross-validation by article",
            "sentences": evaluation.get("sentences"), "articles": evaluation.get("articles"),
            "macro_f1": combined["macro_f1"], "voice_accuracy": combined["voice_accuracy"], "per_frame": per_frame}

