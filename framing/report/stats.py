"""Numbers behind the report, computed from a :class:`~framing.results.Results` only.

Every function here reads the tables of a results folder (``sentences``,
``articles``, ``hits``) and nothing else, so the PDF, the CSV files and a
notebook that calls these functions agree. Shares are shares of sentences
(a sentence carries a frame when its ``label_<frame>`` is true) or of
articles (an article carries a frame when at least one of its sentences
does).
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pandas as pd

from ..lexicon import FRAMES, VOICES
from ..results import Results
from ..text import normalize_text

BOOTSTRAP_SEED = 20160720   # fixed: the same results folder gives the same intervals
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_CHUNK = 100      # replicates resampled at a time (bounds memory on large corpora)
UNKNOWN_OUTLET = "—"
TYPICAL_MIN_WORDS = 5       # shorter sentences come last in typical_sentences
TYPICAL_SAME_WORDS = 0.6    # word-set overlap (Jaccard) at which two typical sentences are one (a copy)


def label_matrix(sentences: pd.DataFrame) -> pd.DataFrame:
    """Sentences x frames, True where the sentence carries the frame."""
    cols = {}
    for f in FRAMES:
        col = sentences.get(f"label_{f}")
        if col is None:
            cols[f] = pd.Series(False, index=sentences.index)
        elif col.dtype == bool:
            cols[f] = col
        else:
            cols[f] = col.astype(str).str.strip().str.lower().isin(("true", "1", "1.0", "yes"))
    return pd.DataFrame(cols, index=sentences.index)


def _truthy(v) -> bool:
    if isinstance(v, str):
        return v.strip().lower() in ("true", "1", "1.0", "yes")
    return bool(v) and v == v


def article_of(res: Results, doc_id) -> Results:
    """The results of one article (same tables, filtered by ``doc_id``)."""
    key = str(doc_id)
    pick = lambda df: df[df["doc_id"].astype(str) == key].reset_index(drop=True) if "doc_id" in df else df  # noqa: E731
    out = Results(pick(res.sentences), pick(res.articles), pick(res.hits), res.skipped, dict(res.meta))
    if out.articles.empty and out.sentences.empty:
        raise KeyError(f"no article {doc_id!r} in these results")
    return out


_computed: dict[int, tuple] | None = None  # per_article's tables while a computed_once() block runs


@contextmanager
def computed_once() -> Iterator[None]:
    """Within the block, :func:`per_article` is computed once for each :class:`Results` whose tables
    stay the same objects (a report reads its tables and never changes them); outside it, every call
    computes afresh, so a notebook that edits a table in place always sees its edit."""
    global _computed
    outer = _computed
    _computed = {} if outer is None else outer
    try:
        yield
    finally:
        _computed = outer


def per_article(res: Results) -> pd.DataFrame:
    """One row per article: doc_id, outlet, date, n_sentences and n_<frame> (labelled sentences)."""
    if _computed is None:
        return _per_article(res)
    held = _computed.get(id(res))
    if held is None or held[1] is not res.sentences or held[2] is not res.articles:
        held = _computed[id(res)] = (res, res.sentences, res.articles, _per_article(res))  # res held: its id stays its own
    return held[3].copy()  # callers add columns to it


def _per_article(res: Results) -> pd.DataFrame:
    s = res.sentences
    lab = label_matrix(s)
    lab["doc_id"] = s["doc_id"].astype(str).values
    counts = lab.groupby("doc_id", sort=False)[list(FRAMES)].sum()
    n = s.groupby(s["doc_id"].astype(str), sort=False).size().rename("n_sentences")
    counts = counts.join(n, how="outer").fillna(0)
    a = res.articles
    if not a.empty:
        ids = a["doc_id"].astype(str).tolist()
        known = set(ids)
        order = ids + [d for d in counts.index.tolist() if d not in known]
        counts = counts.reindex(order).fillna(0)
        for col in ("source", "date", "title"):  # lists, not Series: iterating Arrow-backed columns is slow
            values = dict(zip(ids, a[col].tolist())) if col in a else {}
            counts[col] = list(map(values.get, order))
        counts["outlet"] = list(map(outlet_name, counts.pop("source").tolist()))
    else:
        counts["outlet"], counts["date"], counts["title"] = UNKNOWN_OUTLET, None, None
    counts[list(FRAMES)] = counts[list(FRAMES)].astype(int)
    counts["n_sentences"] = counts["n_sentences"].astype(int)
    counts.index.name = "doc_id"
    return counts.reset_index()


def outlet_name(v) -> str:
    if v is None or (isinstance(v, float) and v != v) or not str(v).strip():
        return UNKNOWN_OUTLET
    return str(v).strip()


def bootstrap_prevalence(res: Results, n_boot: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED,
                         level: float = 0.95) -> pd.DataFrame:
    """Prevalence of each frame with percentile bootstrap intervals, resampling whole articles.

    Columns: ``frame``, ``sentences`` (labelled), ``sentence_share`` with
    ``sentence_lo``/``sentence_hi`` (the share of all sentences: a ratio of
    sums over the resampled articles), ``articles`` (carrying the frame),
    ``article_share`` with ``article_lo``/``article_hi``. Same seed, same
    intervals.
    """
    pa = per_article(res)
    rows = []
    k = pa[list(FRAMES)].to_numpy(dtype=float)
    n = pa["n_sentences"].to_numpy(dtype=float)
    n_docs = len(pa)
    alpha = (1 - level) / 2
    if n_docs:
        sent_boot, art_boot = _resampled_shares(k, n, n_boot, seed)
    for j, f in enumerate(FRAMES):
        row = {"frame": f, "sentences": int(k[:, j].sum()) if n_docs else 0,
               "articles": int((k[:, j] > 0).sum()) if n_docs else 0}
        row["sentence_share"] = float(k[:, j].sum() / n.sum()) if n_docs and n.sum() else 0.0
        row["article_share"] = float((k[:, j] > 0).mean()) if n_docs else 0.0
        if n_docs:
            q = [alpha, 1 - alpha]
            row["sentence_lo"], row["sentence_hi"] = (float(v) for v in np.quantile(sent_boot[:, j], q))
            row["article_lo"], row["article_hi"] = (float(v) for v in np.quantile(art_boot[:, j], q))
        else:
            row.update(sentence_lo=0.0, sentence_hi=0.0, article_lo=0.0, article_hi=0.0)
        rows.append(row)
    return pd.DataFrame(rows)


def _resampled_shares(k: np.ndarray, n: np.ndarray, n_boot: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Per bootstrap replicate: the sentence share and article share of each frame.

    Each replicate draws ``n_docs`` articles with replacement; it is held as how many times each
    article was drawn (a row of weights), so memory is ``BOOTSTRAP_CHUNK x n_docs`` at a time
    instead of ``n_boot x n_docs x frames``. The draws are those of one
    ``integers(0, n_docs, (n_boot, n_docs))`` call, taken a chunk of rows at a time.
    """
    n_docs = len(n)
    rng = np.random.default_rng(seed)
    has = (k > 0).astype(float)
    sent, art = np.empty((n_boot, k.shape[1])), np.empty((n_boot, k.shape[1]))
    for lo in range(0, n_boot, BOOTSTRAP_CHUNK):
        rows = min(BOOTSTRAP_CHUNK, n_boot - lo)
        idx = rng.integers(0, n_docs, size=(rows, n_docs))
        idx += np.arange(rows)[:, None] * n_docs
        w = np.bincount(idx.ravel(), minlength=rows * n_docs).reshape(rows, n_docs).astype(float)
        tot = w @ n
        sent[lo:lo + rows] = (w @ k) / np.where(tot > 0, tot, 1)[:, None]
        art[lo:lo + rows] = (w @ has) / n_docs
    return sent, art


def cooccurrence(res: Results, unit: str = "sentence") -> pd.DataFrame:
    """Frames x frames counts: sentences (``unit="sentence"``) or articles (``"article"``) carrying both.

    The diagonal holds the number of sentences or articles carrying the frame at all.
    """
    if unit == "sentence":
        m = label_matrix(res.sentences).to_numpy(dtype=int)
    elif unit == "article":
        m = (per_article(res)[list(FRAMES)].to_numpy() > 0).astype(int)
    else:
        raise ValueError(f"unit must be 'sentence' or 'article', not {unit!r}")
    return pd.DataFrame(m.T @ m, index=list(FRAMES), columns=list(FRAMES))


def outlet_shares(res: Results) -> pd.DataFrame:
    """Per outlet: articles, sentences and the share of sentences carrying each frame (columns = frames)."""
    pa = per_article(res)
    g = pa.groupby("outlet", sort=True)
    out = g[list(FRAMES)].sum().div(g["n_sentences"].sum().replace(0, np.nan), axis=0).fillna(0.0)
    out.insert(0, "sentences", g["n_sentences"].sum())
    out.insert(0, "articles", g.size())
    return out


def article_dates(res: Results) -> pd.Series:
    """Each article's date (the calendar day as written in the article; NaT when there is none)."""
    pa = per_article(res)
    day = pa["date"].map(lambda v: str(v)[:10] if isinstance(v, str) else None)
    return pd.Series(pd.to_datetime(day, format="%Y-%m-%d", errors="coerce").values, index=pa["doc_id"], name="date")


def choose_period(dates: pd.Series) -> str | None:
    """``"month"`` when the dated articles span two months or more, else ``"week"`` if two weeks, else None."""
    d = dates.dropna()
    if d.empty:
        return None
    if d.dt.to_period("M").nunique() >= 2:
        return "month"
    if d.dt.to_period("W").nunique() >= 2:
        return "week"
    return None


def period_shares(res: Results, period: str | None = None, by_outlet: bool = False) -> pd.DataFrame:
    """Share of sentences per frame by month or week (``period``; default: :func:`choose_period`).

    Index: the period's first day (and the outlet when ``by_outlet``); columns:
    ``articles``, ``sentences`` and one share column per frame. Undated
    articles are left out.
    """
    pa = per_article(res)
    pa["day"] = article_dates(res).values
    period = period or choose_period(pa["day"])
    pa = pa.dropna(subset=["day"])
    if period is None or pa.empty:
        return pd.DataFrame(columns=["articles", "sentences", *FRAMES])
    pa["period"] = pa["day"].dt.to_period("M" if period == "month" else "W").dt.start_time
    keys = ["period", "outlet"] if by_outlet else ["period"]
    g = pa.groupby(keys, sort=True)
    out = g[list(FRAMES)].sum().div(g["n_sentences"].sum().replace(0, np.nan), axis=0).fillna(0.0)
    out.insert(0, "sentences", g["n_sentences"].sum())
    out.insert(0, "articles", g.size())
    return out


def balance_by_outlet(res: Results, a: str = "official_success", b: str = "coalition_failure") -> pd.DataFrame:
    """Per outlet: sentences and shares of two frames and the balance ``(a - b) / (a + b)`` (NaN if neither)."""
    pa = per_article(res)
    g = pa.groupby("outlet", sort=True)
    n = g["n_sentences"].sum()
    out = pd.DataFrame({"articles": g.size(), "sentences": n, a: g[a].sum(), b: g[b].sum()})
    out[f"share_{a}"] = (out[a] / n.replace(0, np.nan)).fillna(0.0)
    out[f"share_{b}"] = (out[b] / n.replace(0, np.nan)).fillna(0.0)
    both = (out[a] + out[b]).replace(0, np.nan)
    out["balance"] = (out[a] - out[b]) / both
    return out


def voice_by_frame(res: Results) -> pd.DataFrame:
    """Frames x voices: how many of the sentences carrying each frame are in each voice (plus ``all`` sentences)."""
    s = res.sentences
    lab = label_matrix(s)
    voice = s["voice"].astype(str) if "voice" in s else pd.Series("authorial", index=s.index)
    rows = {"all": {v: int((voice == v).sum()) for v in VOICES}}
    for f in FRAMES:
        rows[f] = {v: int(((voice == v) & lab[f]).sum()) for v in VOICES}
    return pd.DataFrame.from_dict(rows, orient="index")[list(VOICES)]


def typical_sentences(res: Results, frame: str, k: int = 3, per_article: int = 1) -> pd.DataFrame:
    """The ``k`` most typical sentences of a frame: labelled with it, highest score first.

    Sentences of fewer than :data:`TYPICAL_MIN_WORDS` words come after all the
    others (a bare headline such as «داعش» shows a reader nothing); ties go to
    sentences with fewer other frames (purer examples), then to shorter ones. At
    most ``per_article`` sentences come from one article, and a sentence that
    shares :data:`TYPICAL_SAME_WORDS` of its normalized words with one already
    chosen (a wire copy, lightly edited) is passed over: the examples differ.
    """
    s = res.sentences
    if s.empty:
        return s.iloc[0:0]
    lab = label_matrix(s)
    cand = s[lab[frame]].copy()
    if cand.empty:
        return cand
    cand["_others"] = lab.loc[cand.index].sum(axis=1) - 1
    text = cand["text"].astype(str)
    cand["_len"] = text.str.len()
    cand["_bare"] = text.str.split().str.len() < TYPICAL_MIN_WORDS
    cand = cand.sort_values(["_bare", f"score_{frame}", "_others", "_len"], ascending=[True, False, True, True],
                            kind="stable").drop(columns=["_others", "_len", "_bare"])
    chosen: list[int] = []
    per_doc: dict[str, int] = {}
    words_chosen: list[set[str]] = []
    for i, (doc, t) in enumerate(zip(cand["doc_id"].astype(str), cand["text"].astype(str))):
        if per_doc.get(doc, 0) >= per_article:
            continue
        words = set(normalize_text(t).split())
        if any(len(words & w) >= TYPICAL_SAME_WORDS * len(words | w) for w in words_chosen):
            continue
        chosen.append(i)
        per_doc[doc] = per_doc.get(doc, 0) + 1
        words_chosen.append(words)
        if len(chosen) == k:
            break
    return cand.iloc[chosen]


__all__ = ["label_matrix", "article_of", "per_article", "bootstrap_prevalence", "cooccurrence", "outlet_shares",
           "article_dates", "choose_period", "period_shares", "balance_by_outlet", "voice_by_frame",
           "typical_sentences", "computed_once", "BOOTSTRAP_SEED", "BOOTSTRAP_RESAMPLES"]
