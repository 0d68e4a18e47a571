"""Exploring results in a notebook: grouped prevalence, figures, KWIC and HTML views of articles.

Everything here reads a :class:`~framing.results.Results`; :class:`Results`
exposes it as ``res.by(...)``, ``res.plot.<figure>()``, ``res.kwic(...)`` and
``res.article(doc_id)``.
"""
from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd

from .lexicon import FRAMES


def _dates(articles: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(articles["date"].astype(str).str.slice(0, 10), errors="coerce")


def group_keys(res, by: str) -> pd.Series:
    """The group of each article for ``by``: ``source`` (or ``outlet``), ``month``, ``week``, ``year`` or a column."""
    a = res.articles
    if by in ("source", "outlet"):
        return a["source"].fillna("(unknown outlet)").astype(str)
    if by in ("month", "week", "year"):
        freq = {"month": "M", "week": "W", "year": "Y"}[by]
        return _dates(a).dt.to_period(freq).astype(str).replace("NaT", "(no date)")
    if by in a.columns:
        return a[by].astype(str)
    raise KeyError(f"cannot group by {by!r}: use source, month, week, year or an articles column")


def prevalence_by(res, by: str, n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Per group and frame: articles, sentences, share of sentences and of articles with 95% bootstrap intervals."""
    from .report.stats import bootstrap_prevalence

    keys = group_keys(res, by)
    rows = []
    for key in sorted(keys.unique()):
        docs = set(res.articles.loc[keys == key, "doc_id"])
        sub = subset(res, docs)
        table = bootstrap_prevalence(sub, n_boot=n_boot, seed=seed)
        table.insert(0, by, key)
        table.insert(1, "n_articles", len(docs))
        rows.append(table)
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


def subset(res, doc_ids: set):
    """The results of some articles only."""
    from .results import Results

    keep = lambda df: df[df["doc_id"].isin(doc_ids)] if "doc_id" in df else df  # noqa: E731
    return Results(keep(res.sentences), keep(res.articles), keep(res.hits), res.skipped, res.meta)


SCOPES = {"campaign": ("campaign",), "violence": ("campaign", "violence")}  # what each choice keeps


def in_scope(res, scope: str = "campaign"):
    """The results of the articles inside the campaign's coverage (codebook P22), so that shares count
    those articles' sentences only: ``"campaign"`` keeps the articles that name the campaign, ``"violence"``
    also those that name armed violence only (where civilian_harm counts). ``meta["scope_filter"]`` records
    the choice and how many articles it kept, for the report's header."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {', '.join(SCOPES)}, not {scope!r}")
    arts = res.articles
    scopes = arts["scope"].fillna("").astype(str) if "scope" in arts else pd.Series("", index=arts.index)
    if len(arts) and scopes.eq("").all():
        raise ValueError("these results carry no article scope (column scope of the articles table is empty or "
                         "missing): they were analyzed with --no-scope-rule, with a lexicon without scope terms, or "
                         "by a version of framing older than the rule; analyze them again to report by scope")
    docs = set(arts.loc[scopes.isin(SCOPES[scope]), "doc_id"])
    out = subset(res, docs)
    out.meta = {**(res.meta or {}), "scope_filter": {"scope": scope, "articles": len(docs), "of": len(arts)}}
    return out


class Plots:
    """``res.plot.frame_profile()`` and every other report figure, as matplotlib Figures."""

    def __init__(self, res):
        self._res = res

    def __dir__(self):
        from .report import plots
        return [n for n in plots.__all__ if n != "save"]

    def __getattr__(self, name: str):
        from .report import plots
        if name not in self.__dir__():
            raise AttributeError(f"no figure {name!r}; figures: {', '.join(self.__dir__())}")
        fn = getattr(plots, name)
        return lambda *args, **kw: fn(self._res, *args, **kw)


def kwic(res, term_or_frame: str, width: int = 40) -> pd.DataFrame:
    """Keyword in context within the results' sentences: a frame name gives its cue words, anything else is a term."""
    rows = []
    sents = res.sentences.set_index(["doc_id", "sentence"])
    if term_or_frame in FRAMES:
        for h in res.hits[res.hits["frame"] == term_or_frame].itertuples():
            s = sents.loc[(h.doc_id, h.sentence)]
            a, b = int(h.start - s["start"]), int(h.end - s["start"])
            rows.append(_line(h.doc_id, h.sentence, s["text"], a, b, width, h.term))
    else:
        from .workbench import _sentence_kwic, term_matcher

        matcher = term_matcher(term_or_frame)
        for (doc_id, i), s in sents.iterrows():
            for _, _, left, match, right in _sentence_kwic(matcher, s["text"], s["text"], 0, width):
                rows.append({"doc_id": doc_id, "sentence": int(i), "left": left, "match": match, "right": right,
                             "term": term_or_frame})
    return pd.DataFrame(rows, columns=["doc_id", "sentence", "left", "match", "right", "term"])


def _line(doc_id, i, text: str, a: int, b: int, width: int, term: str) -> dict:
    from .workbench import _context

    left, right = _context(text, a, b, width)
    return {"doc_id": doc_id, "sentence": int(i), "left": left, "match": text[a:b], "right": right, "term": term}


@dataclass
class ArticleView:
    """One article's scored sentences; shows as right-to-left HTML in a notebook."""

    doc_id: str
    title: str | None
    sentences: pd.DataFrame
    hits: pd.DataFrame

    def _repr_html_(self) -> str:
        return article_html(self)


def article_view(res, doc_id: str) -> ArticleView:
    s = res.sentences[res.sentences["doc_id"] == doc_id].sort_values("sentence")
    if s.empty:
        raise KeyError(f"no article {doc_id!r} in these results")
    a = res.articles[res.articles["doc_id"] == doc_id]
    title = a["title"].iloc[0] if len(a) and isinstance(a["title"].iloc[0], str) else None
    return ArticleView(doc_id, title, s, res.hits[res.hits["doc_id"] == doc_id])


def _labels(row) -> list[str]:
    from .report.stats import _truthy  # labels read back from CSV may be strings

    return [f for f in FRAMES if _truthy(row.get(f"label_{f}"))]


def sentence_html(row, hits: pd.DataFrame) -> str:
    """A sentence as escaped HTML, cue words highlighted in their frame's colour, frame chips before it."""
    from .report.style import FRAME_COLORS, FRAME_LABELS_AR

    text = str(row["text"])
    spans = sorted(((int(h.start - row["start"]), int(h.end - row["start"]), h.frame, h.term)
                    for h in hits.itertuples()), key=lambda t: (t[0], -t[1]))
    out, pos = [], 0
    for a, b, frame, term in spans:
        if a < pos or a < 0 or b > len(text):
            continue  # overlapping cue: the first one is shown
        out.append(html.escape(text[pos:a]))
        out.append(f'<mark title="{html.escape(frame)}: {html.escape(term)}" '
                   f'style="background:{FRAME_COLORS[frame]}55;border-bottom:2px solid {FRAME_COLORS[frame]}">'
                   f"{html.escape(text[a:b])}</mark>")
        pos = b
    out.append(html.escape(text[pos:]))
    chips = "".join(f'<span style="background:{FRAME_COLORS[f]};color:#fff;border-radius:4px;padding:0 4px;'
                    f'margin-left:3px;font-size:80%">{FRAME_LABELS_AR[f]}</span>' for f in _labels(row))
    voice = html.escape(str(row.get("voice", "")))
    return (f'<div dir="rtl" style="text-align:right;margin:4px 0;line-height:1.8">'
            f'<span style="color:#888;font-size:80%">{int(row["sentence"])} · {voice}</span> {chips} '
            f'{"".join(out)}</div>')


def article_html(view: ArticleView) -> str:
    parts = [f'<div dir="rtl" lang="ar" style="text-align:right;font-family:Amiri, \'Noto Naskh Arabic\', serif">']
    if view.title:
        parts.append(f"<h3>{html.escape(view.title)}</h3>")
    for row in view.sentences.to_dict("records"):
        hs = view.hits[view.hits["sentence"] == row["sentence"]]
        parts.append(sentence_html(row, hs))
    parts.append("</div>")
    return "".join(parts)


def results_html(res) -> str:
    """The run at a glance: counts and the frame profile."""
    c = res.meta.get("counts", {})
    prof = res.profile().round(3)
    return (f"<div><b>framing results</b>: {c.get('documents', len(res.articles))} articles, "
            f"{c.get('sentences', len(res.sentences))} sentences, model {html.escape(str(res.meta.get('model', '')))}"
            f"{prof.to_html(index=False)}</div>")
