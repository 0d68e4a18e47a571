"""Gold annotations: reading coded sheets, agreement between coders, the gold table.

A gold record is one sentence with its provenance and its human labels:
``{"sid", "corpus", "doc_id", "outlet", "date", "start", "end", "text",
"frames": [...], "voice", "coders": [...]}``.
"""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from .lexicon import FRAMES, VOICES


class GoldError(ValueError):
    """A malformed gold or coded-sheet record, naming the file and line."""


def read_jsonl(path: str | Path) -> list[dict]:
    out = []
    with open(path, encoding="utf-8-sig") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise GoldError(f"{path}:{n}: not valid JSON ({exc.msg})") from exc
    return out


def validate_labels(rec: dict, where: str) -> None:
    """Frames must be a list of the schema's frames, voice one of the voices."""
    frames = rec.get("frames")
    if not isinstance(frames, list) or any(f not in FRAMES for f in frames):
        raise GoldError(f"{where}: 'frames' must be a list drawn from {', '.join(FRAMES)}; got {frames!r}")
    if rec.get("voice") not in VOICES:
        raise GoldError(f"{where}: 'voice' must be one of {', '.join(VOICES)}; got {rec.get('voice')!r}")


def gold_files(paths: Iterable[str | Path]) -> list[Path]:
    """The JSONL files named, a folder standing for the ``*.jsonl`` files in it."""
    out: list[Path] = []
    for path in map(Path, paths):
        out += sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    return out


def load_gold(paths: Iterable[str | Path]) -> pd.DataFrame:
    """Gold JSONL files as a DataFrame: one row per sentence, a 0/1 column per frame, and ``group`` (the article)."""
    rows = []
    for f in gold_files(paths):
        for n, rec in enumerate(read_jsonl(f), 1):
            if "text" not in rec:
                raise GoldError(f"{f}:{n}: a gold record needs 'text'")
            validate_labels(rec, f"{f}:{n}")
            rows.append(rec)
    if not rows:
        raise GoldError("no gold records found in " + ", ".join(map(str, paths)))
    df = pd.DataFrame(rows)
    for f in FRAMES:
        df[f] = df["frames"].apply(lambda fs, f=f: int(f in fs))
    df["group"] = df["doc_id"] if "doc_id" in df else df.index.astype(str)
    return df


def krippendorff_alpha_nominal(pairs: Iterable[tuple]) -> float:
    """Krippendorff's alpha for nominal data, two coders, no missing values.

    ``pairs``: the two coders' values for each unit. Returns NaN when there is
    no variation at all (alpha is undefined then).
    """
    pairs = list(pairs)
    coincidence: Counter = Counter()
    for a, b in pairs:
        coincidence[(a, b)] += 1
        coincidence[(b, a)] += 1
    n = 2 * len(pairs)
    if n == 0:
        return float("nan")
    totals: Counter = Counter()
    for (a, _), c in coincidence.items():
        totals[a] += c
    observed = sum(c for (a, b), c in coincidence.items() if a != b)
    expected = (n * n - sum(t * t for t in totals.values())) / (n - 1)
    if expected == 0:
        return float("nan")
    return 1.0 - observed / expected


def cohen_kappa(pairs: Iterable[tuple]) -> float:
    pairs = list(pairs)
    n = len(pairs)
    if not n:
        return float("nan")
    po = sum(a == b for a, b in pairs) / n
    ca, cb = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    pe = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
    return float("nan") if pe == 1 else (po - pe) / (1 - pe)


def agreement(first: dict[str, dict], second: dict[str, dict]) -> pd.DataFrame:
    """Per frame and for voice: units, percent agreement, Cohen's kappa, Krippendorff's alpha, positives per coder."""
    units = sorted(set(first) & set(second))
    rows = []
    for f in FRAMES:
        pairs = [(int(f in first[u]["frames"]), int(f in second[u]["frames"])) for u in units]
        rows.append(_agreement_row(f, pairs) | {"positives_1": sum(a for a, _ in pairs),
                                                "positives_2": sum(b for _, b in pairs)})
    rows.append(_agreement_row("voice", [(first[u]["voice"], second[u]["voice"]) for u in units]))
    return pd.DataFrame(rows)


def _agreement_row(name: str, pairs: list[tuple]) -> dict:
    n = len(pairs)
    return {"label": name, "units": n, "agreement": round(sum(a == b for a, b in pairs) / n, 4) if n else float("nan"),
            "kappa": round(cohen_kappa(pairs), 4), "alpha": round(krippendorff_alpha_nominal(pairs), 4)}
