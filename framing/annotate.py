"""Coding sheets: export sentences for human coders, read their coded sheets back as gold JSONL."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from .gold import GoldError, read_jsonl, validate_labels
from .lexicon import FRAMES
from .results import load

SHEET_COLUMNS = ["sid", "doc_id", "sentence", "start", "end", "source", "date", "text", "predicted",
                 "frames", "voice", "coder"]


def export_sheet(results_dir: str | Path, out: str | Path, n: int = 200, strategy: str = "uncertain",
                 seed: int = 0) -> int:
    """Write ``n`` sentences of a results folder to a sheet (.csv or .jsonl) with empty label columns."""
    res = load(results_dir)
    s = res.sentences.copy()
    if s.empty:
        raise GoldError(f"{results_dir}: no sentences to export")
    thresholds = res.meta.get("settings", {}).get("thresholds", {})
    scores = s[[f"score_{f}" for f in FRAMES]].to_numpy(dtype=float)
    th = np.array([float(thresholds.get(f, 0.5)) for f in FRAMES])
    if strategy == "uncertain":
        s["_margin"] = np.abs(scores - th).min(axis=1)
        picked = s.sort_values(["_margin", "doc_id", "sentence"]).head(n)
    elif strategy == "stratified":
        first = s["labels"].fillna("").str.split(";").str[0].replace("", "none")
        per = max(1, n // (len(FRAMES) + 1))
        picked = (s.assign(_stratum=first).groupby("_stratum", group_keys=False)
                  .apply(lambda g: g.sample(min(per, len(g)), random_state=seed)))
    else:
        raise GoldError(f"unknown strategy {strategy!r}: use 'uncertain' or 'stratified'")
    sheet = pd.DataFrame({
        "sid": picked["doc_id"].astype(str) + "#" + picked["sentence"].astype(str),
        "doc_id": picked["doc_id"], "sentence": picked["sentence"], "start": picked["start"], "end": picked["end"],
        "source": picked.get("source"), "date": picked.get("date"), "text": picked["text"],
        "predicted": picked["labels"].fillna(""), "frames": "", "voice": "", "coder": ""})
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".jsonl":
        with out.open("w", encoding="utf-8") as fh:
            for rec in sheet.to_dict("records"):
                fh.write(json.dumps(rec, ensure_ascii=False, default=str) + "\n")
    else:
        sheet.to_csv(out, index=False, encoding="utf-8-sig")
    return len(sheet)


def import_sheet(sheet: str | Path, out: str | Path) -> int:
    """Validate a coded sheet and write gold JSONL; rows left entirely blank are skipped."""
    sheet = Path(sheet)
    if sheet.suffix == ".jsonl":
        rows = read_jsonl(sheet)
    else:
        rows = pd.read_csv(sheet, encoding="utf-8-sig", keep_default_na=False, dtype=str).to_dict("records")
    records = []
    for i, row in enumerate(rows, 2 if sheet.suffix != ".jsonl" else 1):
        frames_raw = row.get("frames") or ""
        voice = (row.get("voice") or "").strip()
        if isinstance(frames_raw, list):
            frames = frames_raw
        else:
            frames = [f.strip() for f in str(frames_raw).replace(",", ";").split(";") if f.strip()]
        if not frames and not voice:
            continue
        where = f"{sheet}:{'line' if sheet.suffix == '.jsonl' else 'row'} {i} (sid {row.get('sid')})"
        validate_labels({"frames": frames, "voice": voice}, where)
        records.append({"sid": row.get("sid"), "doc_id": row.get("doc_id"), "start": _int(row.get("start")),
                        "end": _int(row.get("end")), "outlet": row.get("source") or None, "date": row.get("date") or None,
                        "text": row.get("text"), "frames": [f for f in FRAMES if f in frames], "voice": voice,
                        "coders": [row.get("coder") or "unknown"]})
    with Path(out).open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return len(records)


def _int(v):
    try:
        return int(v)
    except (TypeError, ValueError):
        return None
