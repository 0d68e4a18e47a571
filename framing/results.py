"""The results of a run: DataFrames, the run's record, and the results folder on disk."""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .aggregate import frame_profile

SUMMARY = "summary.json"
TABLES = ("sentences", "articles", "hits", "skipped")


@dataclass
class Results:
    """What ``framing.analyze`` returns and ``framing analyze`` writes.

    ``sentences``: one row per sentence with per-frame scores and labels,
    voice and readable hits; ``hits``: one row per cue that counted;
    ``articles``: per-article profile; ``skipped``: inputs that could not be
    read, with the reason; ``meta``: lexicon version, settings, counts.
    """

    sentences: pd.DataFrame
    articles: pd.DataFrame
    hits: pd.DataFrame
    skipped: pd.DataFrame
    meta: dict = field(default_factory=dict)

    def profile(self) -> pd.DataFrame:
        """Frame profile over all sentences (counts, shares, mean score, voice mix)."""
        return frame_profile(self.sentences)

    def summary(self) -> dict:
        return self.meta

    def save(self, folder: str | Path, bom: bool = True) -> Path:
        """Write the CSV tables and ``summary.json`` (UTF-8 with BOM by default, so Excel reads Arabic)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        encoding = "utf-8-sig" if bom else "utf-8"
        for name in TABLES:
            df: pd.DataFrame = getattr(self, name)
            _atomic_write(folder / f"{name}.csv", lambda fh, df=df: df.to_csv(fh, index=False), encoding)
        _atomic_write(folder / SUMMARY,
                      lambda fh: json.dump(self.meta, fh, ensure_ascii=False, indent=2, default=str), "utf-8")
        return folder


def load(folder: str | Path) -> Results:
    """Read a results folder written by :meth:`Results.save` back into DataFrames."""
    folder = Path(folder)
    if not (folder / SUMMARY).exists():
        raise FileNotFoundError(f"{folder} is not a framing results folder (no {SUMMARY})")
    meta = json.loads((folder / SUMMARY).read_text(encoding="utf-8"))
    tables = {}
    for name in TABLES:
        path = folder / f"{name}.csv"
        tables[name] = pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False, na_values=[""]) \
            if path.exists() else pd.DataFrame()
    s = tables["sentences"]
    if "text" in s:
        s["text"] = s["text"].fillna("")
    if "hits" in s:
        s["hits"] = s["hits"].fillna("")
    if "labels" in s:
        s["labels"] = s["labels"].fillna("")
    return Results(meta=meta, **tables)


def _atomic_write(path: Path, write, encoding: str) -> None:
    """Write to a temporary file beside ``path`` and rename it, so no half-written file is left."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as fh:
            write(fh)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
