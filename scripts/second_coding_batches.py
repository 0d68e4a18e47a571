"""Pick whole articles from each primary batch for independent second coding (>= 300 sentences).

    python scripts/second_coding_batches.py data/gold/batches
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

PER_BATCH = 55  # sentences taken from each primary batch


def main(folder: Path) -> None:
    picked: list[dict] = []
    for f in sorted(folder.glob("batch_[0-9].jsonl")):
        n = 0
        for line in f.open(encoding="utf-8"):
            art = json.loads(line)
            if n >= PER_BATCH:
                break
            picked.append(art)
            n += len(art["sentences"])
    halves = [picked[0::2], picked[1::2]]
    for name, arts in zip(("second_A", "second_B"), halves):
        with (folder / f"{name}.jsonl").open("w", encoding="utf-8") as fh, \
                (folder / f"{name}.md").open("w", encoding="utf-8") as md:
            for art in arts:
                fh.write(json.dumps(art, ensure_ascii=False) + "\n")
                md.write(f"## ARTICLE {art['article']}  ({art['corpus']}, {art['source']}, {art['date']})\n")
                for s in art["sentences"]:
                    md.write(f"[{s['sid']}] {s['text']}\n")
                md.write("\n")
        print(name, len(arts), "articles", sum(len(a["sentences"]) for a in arts), "sentences")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
