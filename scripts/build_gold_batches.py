"""Select on-topic articles of the shared corpus's train partition and write annotation batches.

Never touches the held-out partition (HOLDOUT_IDS.tsv, and the sha256 rule it
records). Deterministic: the same corpus gives the same batches.

    python scripts/build_gold_batches.py ../shared/corpus data/gold/batches
"""
from __future__ import annotations

import hashlib
import json
import random
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from framing.corpus import Document, parse_article
from framing.readers import read_inputs

TOPIC = re.compile(r"داعش|تنظيم الدولة|التحالف الدولي")
ENRICH = {
    "civilian_harm": re.compile(r"مدنيين|المدنيين|ضحايا|جرحى|نازحين|النازحين|قتلى"),
    "official_success": re.compile(r"أعلن|اعلن|مقتل|تحرير|استعاد"),
    "coalition_failure": re.compile(r"فشل|عجز|إخفاق|انتقاد|انتقادات"),
    "diplomacy": re.compile(r"اجتماع|مؤتمر|محادثات|مباحثات|تنسيق"),
}
MIN_SENTS, MAX_SENTS = 6, 28


def held_out(doc_id: str) -> bool:
    return hashlib.sha256(doc_id.encode()).hexdigest()[0] == "f"


def iter_corpus(root: Path):
    """``(corpus, document)`` for every article of the train partition: the held-out ones
    (``HOLDOUT_IDS.tsv``, or an id whose SHA-256 starts with ``f``) are never yielded."""
    holdout = {line.split("\t", 1)[1].rstrip("\n") for line in (root / "HOLDOUT_IDS.tsv").open(encoding="utf-8")}
    sources = [("saudinewsnet", sorted((root / "saudinewsnet/dataset").glob("*.zip")))]
    sources += [(sub, sorted((root / sub).rglob("*.txt"))) for sub in ("ant", "ant-multisource")]
    for corpus, files in sources:
        for doc in read_inputs(files):  # the readers framing analyze uses (TREC for the ANT files)
            if isinstance(doc, Document) and doc.id not in holdout and not held_out(doc.id):
                yield corpus, doc


def article_record(corpus: str, doc: Document, article: str) -> dict:
    """An article as the annotation batches hold it: provenance, text and numbered sentences."""
    return {"corpus": corpus, "doc_id": doc.id, "title": doc.title, "date": doc.date, "source": doc.source,
            "text": doc.text, "article": article,
            "sentences": [{"sid": f"{article}.{s.index}", "index": s.index, "start": s.start, "end": s.end,
                           "text": s.text, "is_title": s.is_title} for s in doc.sentences]}


def opening(text: str) -> str:
    """An article's first 300 characters, whitespace folded: a copy under another id has the same."""
    return " ".join(text.split())[:300]


def existing_batches(folder: Path) -> tuple[set[str], set[str], int]:
    """The doc ids and openings of the articles the batches in ``folder`` hold, and the next article number."""
    taken, openings, numbers = set(), set(), []
    for f in folder.glob("*.jsonl"):
        for line in f.open(encoding="utf-8"):
            art = json.loads(line)
            taken.add(art["doc_id"])
            openings.add(opening(art["text"]))
            numbers.append(int(art["article"][1:]))
    return taken, openings, max(numbers) + 1


def deal(chosen: list[tuple[str, Document]], n: int, first_no: int = 0) -> tuple[list[list[dict]], list[int]]:
    """Articles dealt in order into ``n`` batches of about equal sentence counts, numbered from ``first_no``."""
    batches: list[list[dict]] = [[] for _ in range(n)]
    sizes = [0] * n
    for i, (corpus, doc) in enumerate(chosen):
        k = sizes.index(min(sizes))
        sizes[k] += len(doc.sentences)
        batches[k].append(article_record(corpus, doc, f"A{first_no + i:03d}"))
    return batches, sizes


def write_batch(stem: Path, arts: list[dict]) -> None:
    """``stem.jsonl`` (the articles) and ``stem.md`` (the coder's sheet: numbered sentences by article)."""
    with stem.with_suffix(".jsonl").open("w", encoding="utf-8") as fh, \
            stem.with_suffix(".md").open("w", encoding="utf-8") as md:
        for art in arts:
            fh.write(json.dumps(art, ensure_ascii=False) + "\n")
            md.write(f"## ARTICLE {art['article']}  ({art['corpus']}, {art['source']}, {art['date']})\n")
            for s in art["sentences"]:
                md.write(f"[{s['sid']}] {s['text']}\n")
            md.write("\n")


def write_ranked_batches(folder: Path, names: list[str], ranked: Iterable[tuple[str, Document]], next_no: int,
                         n_sents: int) -> Iterator[tuple[str, list[tuple[str, Document]], int]]:
    """Fill the batches ``names`` in turn with whole articles from ``ranked`` (best first), numbered from
    ``next_no``, each until it holds ``n_sents`` sentences; write each and yield ``(name, articles, sentences)``."""
    queue = iter(ranked)
    for name in names:
        used, taken = 0, []
        for corpus, doc in queue:
            taken.append((corpus, doc))
            used += len(doc.sentences)
            if used >= n_sents:
                break
        write_batch(folder / name, [article_record(c, d, f"A{next_no + i:03d}") for i, (c, d) in enumerate(taken)])
        next_no += len(taken)
        yield name, taken, used


def main(root: Path, out: Path, n_coders: int = 6, target_sents: int = 1800) -> None:
    rng = random.Random(20161)
    pools: dict[str, list[tuple[str, Document]]] = {"saudinewsnet": [], "ant": [], "ant-multisource": []}
    for corpus, doc in iter_corpus(root):
        if len(TOPIC.findall(doc.text)) < 3:
            continue
        n = len(doc.sentences)
        if MIN_SENTS <= n <= MAX_SENTS:
            pools[corpus].append((corpus, doc))
    for v in pools.values():
        rng.shuffle(v)
    # interleave corpora, preferring articles rich in the rarer frames
    def richness(item):
        return sum(min(3, len(rx.findall(item[1].text))) for rx in ENRICH.values())
    chosen, total = [], 0
    shares = {"saudinewsnet": 0.5, "ant-multisource": 0.35, "ant": 0.15}
    for corpus, share in shares.items():
        pool = sorted(pools[corpus], key=richness, reverse=True)[: max(1, len(pools[corpus]) // 2)]
        rng.shuffle(pool)
        budget = target_sents * share
        used = 0
        for item in pool:
            if used >= budget:
                break
            chosen.append(item)
            used += len(item[1].sentences)
        total += used
    rng.shuffle(chosen)
    seed = parse_article(Path("seeds/000_c5497f0e217bbb0b.txt").read_text(encoding="utf-8"), "000_c5497f0e217bbb0b")
    chosen.insert(0, ("seed", seed))
    out.mkdir(parents=True, exist_ok=True)
    batches, sizes = deal(chosen, n_coders)
    for k, batch in enumerate(batches, 1):
        write_batch(out / f"batch_{k}", batch)
    print("articles", len(chosen), "sentences", sum(sizes), "per batch", sizes)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
