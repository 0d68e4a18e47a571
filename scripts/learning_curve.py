"""How the combined model's grouped cross-validation figures grow with the gold set: is more coding worth it?

    python scripts/learning_curve.py data/gold/gold.jsonl -o docs/validation/learning_curve.csv [--fractions 0.25 0.5 0.75]

The same grouped 5-fold splits as ``framing evaluate``; in each, the model (combined mode: frames with
thresholds from inner grouped CV, and voice) is trained on a random share of the training part's articles
(seeded by fold) and scored on the whole test part. With share 1.0 the figures are ``framing evaluate``'s.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import GroupKFold

from framing.classify import VoiceClassifier, features_of
from framing.evaluate import closed_mask, fold_frames, gold_table


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("gold", nargs="+")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--fractions", nargs="+", type=float, default=[0.25, 0.5, 0.75])
    ap.add_argument("--folds", type=int, default=5)
    args = ap.parse_args()
    table, y, voice, groups, _ = gold_table(args.gold)
    X = features_of(table)
    closed = closed_mask(X["scope"], groups) if "scope" in X else np.zeros(y.shape, dtype=bool)
    rows = []
    for share in args.fractions:
        pred = np.zeros(y.shape, dtype=int)
        voice_pred = np.empty(len(y), dtype=object)
        trained = []
        for k, (tr, te) in enumerate(GroupKFold(n_splits=args.folds).split(X, y, groups)):
            articles = np.unique(groups[tr])
            keep = np.random.default_rng(k).permutation(articles)[:max(2, round(share * len(articles)))]
            sub = tr[np.isin(groups[tr], keep)]
            trained.append(len(sub))
            pred[te] = fold_frames(X, y, groups, closed, sub, te, use_lexicon=True)[1]
            voice_pred[te] = VoiceClassifier().fit(X.iloc[sub], voice[sub]).predict(X.iloc[te])
        f = f1_score(y, pred, average=None, zero_division=0)
        rows.append({"share": share, "train_sentences": int(np.mean(trained)), "macro_f1": f.mean(),
                     "min_frame_f1": f.min(), "voice_accuracy": accuracy_score(voice, voice_pred),
                     "gold_sentences": len(y)})  # which gold set: docs/validation.md says when it is not the latest
        print(rows[-1], flush=True)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(args.output, index=False)


if __name__ == "__main__":
    main()
