"""Merge coded sheets into the gold set, compute agreement, list disagreements for adjudication.

    python scripts/merge_gold.py data/gold

Reads data/gold/batches/*.jsonl (articles with sentence offsets), the coders'
sheets data/gold/coded/<batch>.<coder>.jsonl, and data/gold/adjudicated.jsonl
(final labels for double-coded disagreements) and data/gold/consistency.jsonl
(labels changed when project decisions P8/P9 came after the coding) and
data/gold/decisions_*.jsonl (decisions P14-P17, then P18-P21, then P23-P28, made after all coding and
adjudication, applied last, later files over earlier ones) when present. An
article that is a near-duplicate of an earlier one (a wire copy or re-publication, found
with framing.dedup's MinHash) keeps only its first copy, so that no text sits on both sides
of a grouped cross-validation split. Writes
data/gold/gold.jsonl (the scope_* batches apart, in data/gold/scope_a.jsonl and scope_b.jsonl),
data/gold/double_coded.jsonl, data/gold/agreement.csv
and data/gold/disagreements.md.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from framing import dedup
from framing.gold import agreement, read_jsonl, validate_labels

SCOPE_PREFIX = "scope_"  # batches of the scope check (build_scope_batch.py): written apart from gold.jsonl, by round:
SCOPE_ROUNDS = {"scope_a": range(1, 6),   # coded first; the scope rule's term lists were revised after reading them
                "scope_b": range(6, 11)}  # coded after the term lists were fixed: the rule's clean test
PRIMARY = "c1"
SECOND = "c2"


def main(root: Path) -> None:
    sentences: dict[str, dict] = {}
    order: list[str] = []
    copies = duplicate_articles(root)
    for f in sorted((root / "batches").glob("*.jsonl")):
        primary = not f.stem.startswith("second_")
        for art in read_jsonl(f):
            if art["article"] in copies:
                continue
            for s in art["sentences"]:
                if s["sid"] in sentences:
                    continue
                sentences[s["sid"]] = {"sid": s["sid"], "article": art["article"], "corpus": art["corpus"],
                                       "doc_id": art["doc_id"], "outlet": art["source"], "date": art["date"],
                                       "start": s["start"], "end": s["end"], "is_title": s["is_title"],
                                       "text": s["text"], "batch": f.stem}
                if primary:
                    order.append(s["sid"])
    coded: dict[str, dict[str, dict]] = {PRIMARY: {}, SECOND: {}}
    for f in sorted((root / "coded").glob("*.jsonl")):
        coder = f.stem.rsplit(".", 1)[1]
        for n, rec in enumerate(read_jsonl(f), 1):
            validate_labels(rec, f"{f}:{n}")
            if rec["sid"].split(".")[0] in copies:
                continue
            if rec["sid"] not in sentences:
                raise SystemExit(f"{f}:{n}: unknown sentence id {rec['sid']}")
            coded[coder][rec["sid"]] = rec
    adjudicated = _read_labels(root / "adjudicated.jsonl")
    consistency = _read_labels(root / "consistency.jsonl")
    later: dict[str, dict] = {}
    for f in sorted(root.glob("decisions_*.jsonl"), key=lambda f: int(f.stem.split("_")[1][1:])):  # p14_p17, p18_p21, p23_p28
        later.update(_read_labels(f))
    double = sorted(set(coded[PRIMARY]) & set(coded[SECOND]), key=order.index)
    missing = [sid for sid in order if sid not in coded[PRIMARY]]
    gold = []
    for sid in order:
        if sid not in coded[PRIMARY]:
            continue
        rec = dict(sentences[sid])
        final = coded[PRIMARY][sid]
        coders = [PRIMARY]
        if sid in consistency:
            final = consistency[sid]
            coders.append("consistency")
        if sid in coded[SECOND]:
            coders.append(SECOND)
            if sid in adjudicated:
                final = adjudicated[sid]
                coders.append("adjudicator")
        if sid in later:  # decisions made after all coding and adjudication: applied last
            final = later[sid]
            coders.append("decisions")
        rec["frames"] = [f for f in _frames_in_order(final["frames"])]
        rec["voice"] = final["voice"]
        rec["coders"] = coders
        gold.append(rec)
    scope = [r for r in gold if r["batch"].startswith(SCOPE_PREFIX)]
    gold = [r for r in gold if not r["batch"].startswith(SCOPE_PREFIX)]
    files = {"gold.jsonl": gold} | {f"{name}.jsonl": [r for r in scope if int(r["batch"].split("_")[1]) in numbers]
                                    for name, numbers in SCOPE_ROUNDS.items()}
    for name, recs in files.items():
        with (root / name).open("w", encoding="utf-8") as fh:
            for rec in recs:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    is_scope = {r["sid"] for r in scope}
    final = {sid: later.get(sid, adjudicated.get(sid, consistency.get(sid, coded[PRIMARY][sid]))) for sid in double}
    gold_double = [sid for sid in double if sid not in is_scope]
    disagreements = _write_double(root, "", gold_double, sentences, coded, final)
    _write_double(root, "scope_", [sid for sid in double if sid in is_scope], sentences, coded, final)
    from collections import Counter
    counts = Counter(f for r in gold for f in r["frames"])
    print(f"gold: {len(gold)} sentences from {len({r['doc_id'] for r in gold})} articles; "
          f"double-coded {len(gold_double)}, disagreements {disagreements}, adjudicated {len(set(adjudicated) - is_scope)}, "
          f"consistency changes {len(consistency)}, later decisions (P14-P28) {len(later)}, "
          f"near-duplicate articles left out {len(copies)} ({', '.join(f'{a}={b}' for a, b in sorted(copies.items()))}), "
          f"not yet coded {len(missing)}")
    print("positives per frame:", dict(counts), "none:", sum(not r["frames"] for r in gold))
    print("voices:", dict(Counter(r["voice"] for r in gold)))
    print(f"scope check: {len(scope)} sentences from {len({r['doc_id'] for r in scope})} articles; positives per frame:",
          dict(Counter(f for r in scope for f in r["frames"])))
    print(pd.read_csv(root / "agreement.csv").to_string(index=False))
    if (root / "scope_agreement.csv").exists():
        print("scope check, double-coded:")
        print(pd.read_csv(root / "scope_agreement.csv").to_string(index=False))


def _write_double(root: Path, prefix: str, sids: list[str], sentences: dict, coded: dict, final: dict) -> int:
    """``{prefix}double_coded.jsonl``, ``{prefix}agreement.csv`` and ``{prefix}disagreements.md`` for these sentences;
    returns how many the coders disagreed on."""
    if not sids:
        return 0
    with (root / f"{prefix}double_coded.jsonl").open("w", encoding="utf-8") as fh:
        for sid in sids:
            fh.write(json.dumps({"sid": sid, "text": sentences[sid]["text"], PRIMARY: _labels_dict(coded[PRIMARY][sid]),
                                 SECOND: _labels_dict(coded[SECOND][sid]), "final": _labels_dict(final[sid])},
                                ensure_ascii=False) + "\n")
    agreement({s: coded[PRIMARY][s] for s in sids}, {s: coded[SECOND][s] for s in sids}).to_csv(
        root / f"{prefix}agreement.csv", index=False)
    differ = [sid for sid in sids if _labels(coded[PRIMARY][sid]) != _labels(coded[SECOND][sid])]
    with (root / f"{prefix}disagreements.md").open("w", encoding="utf-8") as fh:
        for sid in differ:
            a, b = coded[PRIMARY][sid], coded[SECOND][sid]
            fh.write(f"[{sid}] {sentences[sid]['text']}\n  coder 1: {sorted(a['frames'])} {a['voice']}\n"
                     f"  coder 2: {sorted(b['frames'])} {b['voice']}\n\n")
    return len(differ)


def duplicate_articles(root: Path) -> dict[str, str]:
    """``{article: earlier article it copies}`` over all batches; earlier = lower article number (coded first)."""
    arts: dict[str, str] = {}
    for f in sorted((root / "batches").glob("*.jsonl")):
        for art in read_jsonl(f):
            arts.setdefault(art["article"], art["text"])
    arts = dict(sorted(arts.items(), key=lambda kv: int(kv[0][1:])))
    names = list(arts)
    sig = dedup.signatures(arts.values())
    has = ~(sig == dedup.EMPTY).all(axis=1)
    copies: dict[str, str] = {}
    for j in range(len(names)):
        if not has[j]:
            continue
        similar = np.flatnonzero(has[:j] & ((sig[:j] == sig[j]).mean(axis=1) >= dedup.THRESHOLD))
        if len(similar):
            first = names[similar[0]]
            copies[names[j]] = copies.get(first, first)
    return copies


def _read_labels(path: Path) -> dict[str, dict]:
    """``{sid: record}`` of a label file (a later line for the same sid wins); empty when absent."""
    out: dict[str, dict] = {}
    if path.exists():
        for n, rec in enumerate(read_jsonl(path), 1):
            validate_labels(rec, f"{path}:{n}")
            out[rec["sid"]] = rec
    return out


def _labels(rec: dict) -> tuple:
    return tuple(sorted(rec["frames"])), rec["voice"]


def _labels_dict(rec: dict) -> dict:
    return {"frames": sorted(rec["frames"]), "voice": rec["voice"]}


def _frames_in_order(frames: list[str]) -> list[str]:
    from framing.lexicon import FRAMES
    return [f for f in FRAMES if f in frames]


if __name__ == "__main__":
    main(Path(sys.argv[1]))
