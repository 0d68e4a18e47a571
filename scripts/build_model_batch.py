"""Whole on-topic articles where the bundled model expects most of a rare frame, as new annotation batches.

Active learning at the article level: the uncoded articles of the train partition that name the topic
are scored with ``framing.analyze`` (lexicon and bundled classifier), ranked by the mean probability the
model gives the frame over their sentences, and the top ones are written as batches. Coders code them
whole, like every batch: the model picks which articles are read, never a label.

    python scripts/build_model_batch.py ../shared/corpus data/gold/batches NAME FRAME N_SENTENCES K FIRST [MIN_TOPIC]
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from build_gold_batches import MAX_SENTS, MIN_SENTS, TOPIC, existing_batches, iter_corpus, opening, write_ranked_batches

from framing import api
from framing.lexicon import FRAMES


def main(root: Path, folder: Path, name: str, frame: str, n_sents: int, k: int, first: int, min_topic: int = 1) -> None:
    if frame not in FRAMES:
        raise SystemExit(f"unknown frame {frame!r}; one of {', '.join(FRAMES)}")
    taken, openings, next_no = existing_batches(folder)
    pool = []
    for corpus, doc in iter_corpus(root):
        if doc.id in taken or opening(doc.text) in openings:
            continue
        if len(TOPIC.findall(doc.text)) >= min_topic and MIN_SENTS <= len(doc.sentences) <= MAX_SENTS:
            openings.add(opening(doc.text))
            pool.append((corpus, doc))
    res = api.analyze([doc for _, doc in pool])  # the bundled model, as framing analyze runs it
    mean = res.sentences.groupby("doc_id", sort=False)[f"score_{frame}"].mean()
    ranked = sorted(pool, key=lambda item: (-float(mean.get(item[1].id, 0.0)), item[1].id))
    names = [f"{name}_{i}" for i in range(first, first + k)]
    for batch, arts, used in write_ranked_batches(folder, names, ranked, next_no, n_sents):
        p = np.mean([float(mean.get(doc.id, 0.0)) for _, doc in arts])
        print(f"{batch}: {len(arts)} articles, {used} sentences, mean P({frame}) {p:.3f}; pool {len(pool)}")


if __name__ == "__main__":
    a = sys.argv[1:]
    main(Path(a[0]), Path(a[1]), a[2], a[3], int(a[4]), int(a[5]), int(a[6]), *map(int, a[7:8]))
