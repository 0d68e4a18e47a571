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

    def by(self, key: str, n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
        """Prevalence per ``source``, ``month``, ``week``, ``year`` (or an articles column), with bootstrap intervals."""
        from .explore import prevalence_by
        return prevalence_by(self, key, n_boot=n_boot, seed=seed)

    @property
    def plot(self):
        """Every report figure as a method returning a matplotlib Figure: ``res.plot.frame_profile()``."""
        from .explore import Plots
        return Plots(self)

    def kwic(self, term_or_frame: str, width: int = 40) -> pd.DataFrame:
        """Keyword in context: a frame name lists its cue words in context; anything else is a lexicon-style term."""
        from .explore import kwic
        return kwic(self, term_or_frame, width)

    def article(self, doc_id: str):
        """One article's sentences, shown right to left with frames and cue words in a notebook."""
        from .explore import article_view
        return article_view(self, doc_id)

    def in_scope(self, scope: str = "campaign") -> "Results":
        """The articles inside the campaign's coverage only (codebook P22): ``"campaign"``, those that name it;
        ``"violence"``, also those that name armed violence only. Shares then count their sentences alone."""
        from .explore import in_scope
        return in_scope(self, scope)

    def report(self, path: str | Path, doc_id: str | None = None) -> Path:
        """Write the PDF report (and its figures beside it)."""
        from .report import build_report
        return build_report(self, path, doc_id=doc_id)

    def to_parquet(self, folder: str | Path) -> Path:
        """Write the tables as Parquet (``sentences.parquet`` …) and ``summary.json``; :func:`load` reads them back."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name in TABLES:
            df: pd.DataFrame = getattr(self, name)
            _atomic_write(folder / f"{name}.parquet", lambda fh, df=df: df.to_parquet(fh, index=False), None)
        _write_json(folder / SUMMARY, self.meta)
        return folder

    def _repr_html_(self) -> str:
        from .explore import results_html
        return results_html(self)

    def save(self, folder: str | Path, bom: bool = True) -> Path:
        """Write the CSV tables and ``summary.json`` (UTF-8 with BOM by default, so Excel reads Arabic)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        encoding = "utf-8-sig" if bom else "utf-8"
        for name in TABLES:
            df: pd.DataFrame = getattr(self, name)
            _atomic_write(folder / f"{name}.csv", lambda fh, df=df: df.to_csv(fh, index=False), encoding)
        _write_json(folder / SUMMARY, self.meta)
        return folder


def load(folder: str | Path) -> Results:
    """Read a results folder back into DataFrames: the Parquet tables of a corpus run
    (``sentences/part-*.parquet`` …) when present, otherwise the CSV tables of :meth:`Results.save`."""
    folder = Path(folder)
    if not (folder / SUMMARY).exists():
        raise FileNotFoundError(f"{folder} is not a framing results folder (no {SUMMARY})")
    meta = json.loads((folder / SUMMARY).read_text(encoding="utf-8"))
    tables = {}
    for name in TABLES:
        path = folder / f"{name}.csv"
        if part_files(folder, name):
            from .pipeline import read_table

            tables[name] = read_table(folder, name)
        elif (folder / f"{name}.parquet").exists():
            tables[name] = pd.read_parquet(folder / f"{name}.parquet")
        else:
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


def _atomic_write(path: Path, write, encoding: str | None) -> None:
    """Write to a temporary file beside ``path`` and rename it, so no half-written file is left.

    ``write`` gets the open file: text in ``encoding``, or binary when ``encoding`` is None.
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") if encoding is None else os.fdopen(fd, "w", encoding=encoding, newline="") as fh:
            write(fh)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_json(path: Path, data: dict) -> None:
    """``data`` as indented UTF-8 JSON, written atomically (summaries, run configs, shard manifests)."""
    _atomic_write(path, lambda fh: json.dump(data, fh, ensure_ascii=False, indent=2, default=str), "utf-8")


def part_files(folder: Path, table: str) -> list[Path]:
    """The Parquet parts of one table of a corpus run (``sentences/part-00000.parquet`` …), in shard order."""
    d = folder / table
    return sorted(d.glob("part-*.parquet")) if d.is_dir() else []
