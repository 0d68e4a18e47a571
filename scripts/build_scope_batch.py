"""Sample the articles the gold set's selection left out, to code them whole: the scope check.

The gold batches took on-topic articles only (at least three mentions of داعش / تنظيم الدولة /
التحالف الدولي). A corpus run also scores everything else an archive holds (sport, economy, other
wars), and the codebook gives those sentences no frame. This samples, at random, train-partition
articles with fewer than three such mentions, not already in a batch, 6-28 sentences each, so that
coders can code them like any other batch and the scorer's labels there can be checked.

    python scripts/build_scope_batch.py ../shared/corpus data/gold/batches [FIRST [PER_CORPUS...]]

Writes ``scope_FIRST`` ... ``scope_{FIRST+4}`` (FIRST default 1; PER_CORPUS default: 50 SaudiNewsNet,
25 ANT, 25 ANT 2018), each sample drawn with its own seed from the articles no batch holds yet:
scope_1-5 were coded first, scope_6-10 later as a fresh test of the scope rule's term lists.
"""
from __future__ import annotations

import random
import sys
from pathlib import Path

from build_gold_batches import MAX_SENTS, MIN_SENTS, TOPIC, deal, existing_batches, iter_corpus, opening, write_batch

N_BATCHES = 5


def main(root: Path, folder: Path, per_corpus: dict[str, int], first: int = 1) -> None:
    taken, openings, next_no = existing_batches(folder)
    pools: dict[str, list] = {c: [] for c in per_corpus}
    for corpus, doc in iter_corpus(root):
        if (doc.id not in taken and len(TOPIC.findall(doc.text)) < 3
                and MIN_SENTS <= len(doc.sentences) <= MAX_SENTS and opening(doc.text) not in openings):
            openings.add(opening(doc.text))
            pools[corpus].append(doc)
    rng = random.Random(2026_11_29 + first - 1)
    chosen = [(c, d) for c, n in per_corpus.items() for d in rng.sample(sorted(pools[c], key=lambda d: d.id), n)]
    rng.shuffle(chosen)
    batches, sizes = deal(chosen, N_BATCHES, next_no)
    for k, arts in enumerate(batches, 1):
        write_batch(folder / f"scope_{first + k - 1}", arts)
    print("pools", {c: len(v) for c, v in pools.items()}, "sentences per batch", sizes)


if __name__ == "__main__":
    first = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    counts = [int(a) for a in sys.argv[4:7]] or [50, 25, 25]
    main(Path(sys.argv[1]), Path(sys.argv[2]), dict(zip(("saudinewsnet", "ant", "ant-multisource"), counts)), first)
