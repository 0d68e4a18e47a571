"""Add whole on-topic articles rich in a rare frame's vocabulary to a new annotation batch.

The codebook asks for >= 120 positive sentences per frame; articles are still
coded whole (negatives keep their natural share inside each article).

    python scripts/build_extra_batch.py ../shared/corpus data/gold/batches NAME REGEX N_SENTENCES [MIN_TOPIC MAX_SENTS [K FIRST]]

With K, writes K batches NAME_FIRST ... NAME_{FIRST+K-1} of N_SENTENCES each from one pass over the corpus.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

from build_gold_batches import MAX_SENTS, MIN_SENTS, TOPIC, existing_batches, iter_corpus, opening, write_ranked_batches


def main(root: Path, folder: Path, name: str, pattern: str, n_sents: int,
         min_topic: int = 3, max_sents: int = MAX_SENTS, k: int = 0, first: int = 1) -> None:
    taken, openings, next_no = existing_batches(folder)  # a copy (other id, same opening) is not taken again
    rx = re.compile(pattern)
    scored = []
    for corpus, doc in iter_corpus(root):
        if doc.id in taken:
            continue
        if len(TOPIC.findall(doc.text)) < min_topic or not MIN_SENTS <= len(doc.sentences) <= max_sents:
            continue
        hits = len(rx.findall(doc.text))
        if hits >= 2 and opening(doc.text) not in openings:
            openings.add(opening(doc.text))
            scored.append((hits / len(doc.sentences), corpus, doc))
    scored.sort(key=lambda t: (-t[0], t[2].id))
    names = [f"{name}_{i}" for i in range(first, first + k)] if k else [name]
    for batch, _, used in write_ranked_batches(folder, names, ((c, d) for _, c, d in scored), next_no, n_sents):
        print(batch, "sentences", used, "candidates", len(scored))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5]), *map(int, sys.argv[6:10]))
