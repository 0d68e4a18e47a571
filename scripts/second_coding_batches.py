"""Pick whole articles from each primary batch for independent second coding (>= 300 sentences).

    python scripts/second_coding_batches.py data/gold/batches                       # second_A/B (batches 1-6)
    python scripts/second_coding_batches.py data/gold/batches "extra_*.jsonl" second_C second_D 30
    python scripts/second_coding_batches.py data/gold/batches "extra_topic_3[5-9].jsonl,extra_topic_[45]?.jsonl" second_E second_F 14

PATTERN: a glob, or several separated by commas.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from build_gold_batches import write_batch

PER_BATCH = 55  # sentences taken from each primary batch


def main(folder: Path, pattern: str = "batch_[0-9].jsonl", first: str = "second_A", second: str = "second_B",
         per_batch: int = PER_BATCH) -> None:
    picked: list[dict] = []
    for f in sorted({f for p in pattern.split(",") for f in folder.glob(p)}):
        n = 0
        for line in f.open(encoding="utf-8"):
            art = json.loads(line)
            if n >= per_batch:
                break
            picked.append(art)
            n += len(art["sentences"])
    halves = [picked[0::2], picked[1::2]]
    for name, arts in zip((first, second), halves):
        write_batch(folder / name, arts)
        print(name, len(arts), "articles", sum(len(a["sentences"]) for a in arts), "sentences")


if __name__ == "__main__":
    main(Path(sys.argv[1]), *sys.argv[2:5], *map(int, sys.argv[5:6]))
