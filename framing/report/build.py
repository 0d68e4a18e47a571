"""Build the PDF report from a results folder or a :class:`~framing.results.Results`.

``build_report(results_or_dir, out_pdf)`` draws the figures into
``figures/`` next to the PDF (PNG and SVG; the PDF embeds the PNG), collects
every number and every string the report shows into one JSON document, and
compiles the Typst template ``templates/report.typ`` with it. The JSON travels as data
(``sys.inputs``), so article text is never read as Typst markup. One
article gives the article report; several give the corpus report.
"""
from __future__ import annotations

import json
import math
import unicodedata
from datetime import datetime
from pathlib import Path

import pandas as pd

from ..explore import in_scope
from ..lexicon import FRAMES, VOICES
from ..results import Results, load
from ..aggregate import OUT_OF_SCOPE_RULE, article_flags
from . import plots, stats
from .style import (
    FRAME_COLORS,
    FRAME_LABELS_AR,
    FRAME_LABELS_EN,
    VOICE_COLORS,
    VOICE_LABELS_AR,
    VOICE_LABELS_EN,
    font_dir,
    frame_label,
    tint,
)

TEMPLATE = Path(__file__).resolve().parent / "templates" / "report.typ"
FIGURES = "figures"
ZWJ = "\u200d"
EMBED = "png"            # which of the figure files goes into the PDF
MAX_ARTICLE_ROWS = 300
TYPICAL_PER_FRAME = 3

NO_FRAME = {"ar": "لا تحمل أي جملة أيًّا من الأطر الستة (كل الدرجات دون العتبة).",
            "en": "No sentence carries any of the six frames (every score is below its threshold)."}

TEXT = {
    "profile": "لكل إطار: حصة جمل المقال التي تحمله (بين القوسين: عدد الجمل من مجموعها)، ومتوسط درجته على كل الجمل "
               "(الشدة، من 0 إلى 1). الأرقام من articles.csv وsentences.csv.",
    "trajectory": "كل عمود جملة بترتيبها في المقال، وكل صف إطار. كلما اشتد اللون علت درجة الإطار في الجملة، والنقطة "
                  "تعني أن الجملة تحمل الإطار (بلغت درجتها العتبة).",
    "voice": "من يتكلم في الجمل التي تحمل كل إطار: صوت الوسيلة نفسها، أو مصدر رسمي، أو مصدر آخر (محللون، مراصد، "
             "وسائل إعلام). ادعاءات النجاح الرسمية تحتاج مصدرًا رسميًّا بحكم دليل الترميز، أما فشل التحالف فقد "
             "يأتي بصوت الوسيلة.",
    "prevalence": "حصة الجمل: الجمل التي تحمل الإطار من كل جمل المجموعة. حصة المقالات: المقالات التي فيها جملة "
                  "واحدة على الأقل تحمله. فترات الثقة 95% من بوتستراب يعيد معاينة المقالات كاملة (بذرة ثابتة، "
                  "فالنتيجة نفسها في كل تشغيل).",
    "time": "كل لوحة إطار: الخط الملون لكل الوسائل معًا، والخطوط الرمادية لكل وسيلة على حدة. الفترات التي ليس فيها "
            "مقال مؤرخ لا تظهر، والمقالات بلا تاريخ لا تدخل الحساب.",
    "time_all_only": "كل لوحة إطار: الخط الملون لكل الوسائل معًا ({outlets}). الفترات التي ليس فيها مقال مؤرخ لا تظهر، "
                     "والمقالات بلا تاريخ لا تدخل الحساب.",
    "balance": "لكل وسيلة: حصة جملها التي تحمل ادعاءات النجاح الرسمية (يمينًا) وحصة التي تحمل فشل التحالف (يسارًا)، "
               "والتوازن بينهما من −1 (فشل فقط) إلى +1 (نجاح رسمي فقط).",
    "cooccurrence": "عدد الجمل (يمينًا) والمقالات (يسارًا) التي تحمل الإطارين معًا؛ القطر (بإطار ملون) عدد ما يحمل "
                    "الإطار أصلًا.",
    "typical": f"لكل إطار الجمل الأعلى درجة فيه، وما قلّ عن {stats.TYPICAL_MIN_WORDS} كلمات بعد غيره (عند التساوي: "
               "الأقل أطرًا أخرى ثم الأقصر)، جملة واحدة من كل مقال، ولا تُكرَّر جملة منقولة عن أخرى. الرقم الأول درجة "
               "الإطار في الجملة.",
}


# ---------------------------------------------------------------- entry point

def build_report(results: Results | str | Path, out_pdf: str | Path | None = None, *, doc_id=None,
                 kind: str = "auto", scope: str | None = None) -> Path:
    """Write the PDF report (and ``figures/`` beside it) and return the PDF's path.

    ``results``: a results folder written by ``framing analyze`` / ``Results.save``,
    or a :class:`Results`. ``out_pdf`` defaults to ``<folder>/report.pdf``.
    ``kind``: ``"article"`` (one article; ``doc_id`` picks it from several),
    ``"corpus"``, or ``"auto"`` (article when there is exactly one).
    ``scope``: ``"campaign"`` or ``"violence"`` reports on the articles inside the campaign's
    coverage only (:func:`framing.explore.in_scope`, codebook P22): a corpus report unless ``kind`` or
    ``doc_id`` says otherwise.
    """
    with stats.computed_once():
        return _build_report(results, out_pdf, doc_id, kind, scope)


def _build_report(results: Results | str | Path, out_pdf: str | Path | None, doc_id, kind: str,
                  scope: str | None) -> Path:
    import typst

    if isinstance(results, (str, Path)):
        folder = Path(results)
        res = load(folder)
        out_pdf = Path(out_pdf) if out_pdf else folder / "report.pdf"
    else:
        res = results
        if out_pdf is None:
            raise ValueError("out_pdf is required when building from a Results object")
        out_pdf = Path(out_pdf)
    if scope is not None:
        res = in_scope(res, scope)
        if not len(res.articles):
            raise ValueError(f"no article of these results is in scope {scope!r} (column scope of the articles table)")
        if kind == "auto" and doc_id is None:
            kind = "corpus"  # a slice of a corpus, even when it keeps one article
    out_pdf.parent.mkdir(parents=True, exist_ok=True)
    root = out_pdf.parent.resolve()
    fig_dir = root / FIGURES

    doc_ids = stats.per_article(res)["doc_id"]
    n_docs = doc_ids.nunique()
    if kind == "auto":
        kind = "article" if doc_id is not None or n_docs == 1 else "corpus"
    if kind == "article":
        if doc_id is None:
            if n_docs != 1:
                raise ValueError(f"these results hold {n_docs} articles: pass doc_id for an article report")
            doc_id = doc_ids.iloc[0]
        data = article_data(stats.article_of(res, doc_id), fig_dir)
    elif kind == "corpus":
        data = corpus_data(res, fig_dir)
    else:
        raise ValueError(f"kind must be 'auto', 'article' or 'corpus', not {kind!r}")
    data.update(common_data(res))
    data["method"]["extra"] = data.pop("method_extra", [])
    payload = json.dumps(_clean(data), ensure_ascii=False, allow_nan=False)
    typst.compile(TEMPLATE.read_bytes(), output=str(out_pdf), root=str(root), font_paths=[str(font_dir())],
                  ignore_system_fonts=True, sys_inputs={"data": payload}, timestamp=_timestamp(res.meta))
    return out_pdf


# ---------------------------------------------------------------- shared pieces

def common_data(res: Results) -> dict:
    meta = res.meta or {}
    sw = meta.get("software", {}) or {}
    lex = meta.get("lexicon", {}) or {}
    software = f"{sw.get('name', 'framing')} {sw.get('version', '')}".strip()
    return {
        "software": software,
        "frame_order": list(FRAMES),
        "voice_order": list(VOICES),
        "frames": {f: {"label": FRAME_LABELS_AR[f], "en": FRAME_LABELS_EN[f], "color": FRAME_COLORS[f],
                       "tint": tint(FRAME_COLORS[f], 0.62)} for f in FRAMES},
        "voices": {v: {"label": VOICE_LABELS_AR[v], "en": VOICE_LABELS_EN[v], "color": VOICE_COLORS[v]}
                   for v in VOICES},
        "footer": f"{software} · {lex.get('name', '')} {lex.get('version', '')} · {meta.get('model', '')} · "
                  f"{_fmt_date(meta.get('created'))}",
        "text": TEXT,
        "messages": {"no_frame": NO_FRAME},
        "method": method_data(res),
    }


def method_data(res: Results) -> dict:
    import matplotlib
    import typst

    meta = res.meta or {}
    lex = meta.get("lexicon", {}) or {}
    sw = meta.get("software", {}) or {}
    counts = meta.get("counts", {}) or {}
    settings = meta.get("settings", {}) or {}
    model = str(meta.get("model", "—"))
    rows = [
        ["البرنامج", f"{sw.get('name', 'framing')} {sw.get('version', '—')}"],
        ["تاريخ التشغيل", _fmt_date(meta.get("created"))],
        ["النموذج", model],
        ["المعجم", f"{lex.get('name', '—')} {lex.get('version', '')}".strip()],
        ["مدخلات المعجم", str(lex.get("entries", "—"))],
        ["SHA-256 للمعجم", str(lex.get("sha256", "—"))],
        ["الأعداد", " · ".join(f"{k}: {v}" for k, v in counts.items()) or "—"],
        ["التقرير", f"framing.report · typst {getattr(typst, '__version__', '?')} · matplotlib "
                    f"{matplotlib.__version__} · font Amiri"],
    ]
    thr = settings.get("thresholds", {}) or {}
    thresholds = [{"frame": f, "value": _num(thr.get(f), 2)} for f in FRAMES]
    rules = settings.get("rules", {}) or {}
    if model == "lexicon":
        formula = "1 − exp(−Σw)"
        score_note = ["درجة الإطار في الجملة =", "، وΣw مجموع أوزان أدلته المعجمية بعد تطبيق القواعد (النفي، "
                      "الاستدراك، التوكيد، التحوط، الصوت)؛ وتحمل الجملة الإطار إذا بلغت درجتها العتبة."]
    else:
        formula = None
        score_note = [f"درجات الأطر من النموذج «{model}»، وتحمل الجملة الإطار إذا بلغت درجتها العتبة.", ""]
    return {"rows": rows, "thresholds": thresholds, "score_note": score_note, "formula": formula,
            "rules": " · ".join(f"{k} = {v}" for k, v in rules.items()),
            "extra": [], "evaluation": evaluation_data(meta)}


_EVALUATION_KEYS = {"source": "المصدر", "mode": "النمط", "method": "الطريقة", "sentences": "الجمل",
                    "articles": "المقالات", "macro_f1": "متوسط F1 للأطر (macro)", "voice_accuracy": "دقة الصوت"}


def evaluation_data(meta: dict) -> dict | None:
    """The ``evaluation`` block of summary.json as a table (per-frame precision, recall, F1), or None."""
    ev = (meta or {}).get("evaluation")
    if not ev:
        return None
    rows: list[dict] = []
    notes: list[list[str]] = []
    if isinstance(ev, list):
        rows = [r for r in ev if isinstance(r, dict)]
    elif isinstance(ev, dict):
        table = None
        for key in ("frames", "per_frame", "frame_table", "by_frame", "table"):
            if key in ev:
                table = ev[key]
                break
        if table is None and set(ev) & set(FRAMES):
            table = {k: v for k, v in ev.items() if k in FRAMES}
        if isinstance(table, dict):
            rows = [dict(v, frame=k) if isinstance(v, dict) else {"frame": k, "f1": v} for k, v in table.items()]
        elif isinstance(table, list):
            rows = [r for r in table if isinstance(r, dict)]
        for k, v in ev.items():
            if isinstance(v, (str, int, float, bool)) and k not in FRAMES:
                notes.append([_EVALUATION_KEYS.get(k, str(k)), _num(v, 3) if isinstance(v, float) else str(v)])
    wanted = ["mode", "frame", "precision", "recall", "f1", "support", "n"]
    present = [c for c in wanted if any(c in r for r in rows)]
    if present == ["mode"]:
        present = []
    if len({r.get("mode") for r in rows}) <= 1 and "mode" in present:
        present.remove("mode")
    heads = {"mode": "النمط", "frame": "الإطار", "precision": "الدقة (P)", "recall": "الاستدعاء (R)",
             "f1": "F1", "support": "العدد", "n": "العدد"}
    out_rows = []
    for r in rows:
        cells = []
        for c in present:
            v = r.get(c, "")
            if c == "frame":
                cells.append(frame_label(str(v)) if v in FRAMES else str(v))
            elif isinstance(v, float):
                cells.append(_num(v, 3))
            else:
                cells.append(str(v))
        out_rows.append(cells)
    return {"columns": [heads[c] for c in present], "rows": out_rows, "notes": notes}


def _figure(fig, folder: Path, name: str) -> str:
    """Save a figure as SVG and PNG; the PDF embeds the PNG (a vector figure would put tens of thousands of
    path operators per page into the PDF, which makes it slow to open and to search)."""
    paths = plots.save(fig, folder, name)
    return f"{FIGURES}/{paths[EMBED].name}"


def _clear(folder: Path, names: list[str]) -> None:
    for name in names:
        for ext in ("png", "svg"):
            (folder / f"{name}.{ext}").unlink(missing_ok=True)


# ---------------------------------------------------------------- one article

ARTICLE_FIGURES = ["article_profile", "article_trajectory", "article_voice"]


def article_data(res: Results, fig_dir: Path) -> dict:
    s = res.sentences.sort_values("sentence", kind="stable")
    a = res.articles.iloc[0] if len(res.articles) else pd.Series(dtype=object)
    lab = stats.label_matrix(s)
    no_frame = not bool(lab.to_numpy().any())
    _clear(fig_dir, ARTICLE_FIGURES)
    figures = {
        "profile": _figure(plots.frame_profile(res), fig_dir, "article_profile"),
        "trajectory": _figure(plots.frame_trajectory(res), fig_dir, "article_trajectory"),
        "voice": None if no_frame else _figure(plots.voice_by_frame(res), fig_dir, "article_voice"),
    }
    title = _str(a.get("title")) or next((t for t, it in zip(s["text"], s["is_title"]) if stats._truthy(it)), "") \
        or str(s["doc_id"].iloc[0] if len(s) else "")
    hits = _hits_by_sentence(res.hits)
    n_words = a.get("n_words")
    doc_id = str(a.get("doc_id", s["doc_id"].iloc[0] if len(s) else ""))
    article = {
        "doc_id": doc_id,
        "title": title,
        "outlet": _str(a.get("source")) or "غير مذكورة",
        "date": _fmt_date(a.get("date")),
        "path": _str(a.get("path")) or "",
        "n_words": str(int(n_words)) if n_words is not None and n_words == n_words else "—",
        "n_sentences": str(len(s)),
        "no_frame": no_frame,
        "scope_note": scope_note(_str(a.get("scope")) or "", _str(a.get("scope_words")) or ""),
        "sentences": [sentence_data(row, hits.get((str(row["doc_id"]), int(row["sentence"])), []))
                      for row in s.to_dict("records")],
    }
    return {"kind": "article", "doc_title": title, "article": article, "figures": figures}


def scope_note(scope: str, words: str) -> dict | None:
    """Why an article out of the campaign's scope (codebook P22) shows fewer frames, or none."""
    if scope == "none":
        return {"ar": "لا يذكر المقال داعش ولا الإرهاب ولا التحالف الدولي ولا عنفًا مسلحًا، فهو خارج نطاق الحملة ولا "
                      "يُحسب فيه أي إطار (القرار P22 في دليل الترميز). ما وجده المعجم من كلمات باقٍ في hits.csv.",
                "en": "The article names neither ISIS, terrorism, the international coalition nor armed violence: it is "
                      "outside the campaign's scope and no frame counts (codebook P22). The words the lexicon found "
                      "stay in hits.csv."}
    if scope == "violence":
        return {"ar": f"لا يذكر المقال داعش ولا الإرهاب ولا التحالف الدولي، بل عنفًا مسلحًا («{words}»)، فلا يُحسب فيه إلا "
                      "إطار الخسائر المدنية (القرار P22 في دليل الترميز).",
                "en": "The article names armed violence but neither ISIS, terrorism nor the international coalition: "
                      "only civilian harm counts (codebook P22)."}
    return None


def sentence_data(row: dict, hits: list[dict]) -> dict:
    """One sentence for the template: segments with highlighted cues, frames, voice, scores."""
    text = str(row.get("text") or "")
    start = int(row.get("start") or 0)
    spans = []
    for h in hits:
        span = _locate(text, int(h["start"]) - start, int(h["end"]) - start, str(h.get("matched") or ""))
        if span:
            spans.append((*span, str(h["frame"]), stats._truthy(h.get("negated"))))
    cue = _str(row.get("voice_cue")) or ""
    cue_span = None
    if cue:
        i = text.find(cue)
        cue_span = (i, i + len(cue)) if i >= 0 else None
    frames = [f for f in FRAMES if stats._truthy(row.get(f"label_{f}"))]
    scores = []
    for f in FRAMES:
        v = row.get(f"score_{f}")
        if v is not None and v == v and float(v) > 0:
            scores.append({"frame": f, "value": float(v), "labelled": f in frames,
                           "text": f"{FRAME_LABELS_AR[f]} {float(v):.2f}"})
    scores.sort(key=lambda x: -x["value"])
    idx = int(row.get("sentence", 0))
    is_title = stats._truthy(row.get("is_title"))
    voice = str(row.get("voice") or "authorial")
    return {
        "index": idx,
        "label": f"{idx} · العنوان" if is_title else str(idx),
        "is_title": is_title,
        "dir": text_direction(text),
        "voice": voice if voice in VOICES else "authorial",
        "voice_cue": cue,
        "frames": frames,
        "scores": [{k: v for k, v in x.items() if k != "value"} for x in scores],
        "segments": segments(text, spans, cue_span),
    }


def text_direction(text: str) -> str:
    """``"rtl"`` when the first letter with a direction is Arabic (or Hebrew), ``"ltr"`` when it is Latin etc."""
    for ch in text:
        bidi = unicodedata.bidirectional(ch)
        if bidi in ("R", "AL"):
            return "rtl"
        if bidi == "L":
            return "ltr"
    return "rtl"


def _locate(text: str, s: int, e: int, matched: str) -> tuple[int, int] | None:
    """A hit's span in the sentence: its offsets if they hold ``matched``, else the nearest occurrence."""
    if 0 <= s < e <= len(text) and (not matched or text[s:e] == matched):
        return s, e
    if matched:
        found = [i for i in range(len(text)) if text.startswith(matched, i)]
        if found:
            i = min(found, key=lambda k: abs(k - s))
            return i, i + len(matched)
    return None


def segments(text: str, spans: list[tuple[int, int, str, bool]], cue: tuple[int, int] | None = None) -> list[dict]:
    """Split ``text`` at every cue boundary: ``[{"t", "f", "f2", "neg", "cue"}]`` in reading order.

    ``f`` is the frame colouring the piece (the first cue covering it), ``f2``
    other frames of cues over the same words. Where a boundary falls inside an
    Arabic word, a zero-width joiner on both sides keeps the letters joined.
    """
    cuts = {0, len(text)}
    for s, e, *_ in spans:
        cuts.update((s, e))
    if cue:
        cuts.update(cue)
    cuts = sorted(c for c in cuts if 0 <= c <= len(text))
    out: list[dict] = []
    for a, b in zip(cuts, cuts[1:]):
        if a == b:
            continue
        cover = sorted((sp for sp in spans if sp[0] <= a and b <= sp[1]), key=lambda sp: (sp[0], sp[1]))
        fr = []
        for sp in cover:
            if sp[2] in FRAMES and sp[2] not in fr:
                fr.append(sp[2])
        seg = {"t": text[a:b], "f": fr[0] if fr else "", "f2": fr[1:],
               "neg": any(sp[3] for sp in cover), "cue": bool(cue and cue[0] <= a and b <= cue[1])}
        if out and all(out[-1][k] == seg[k] for k in ("f", "f2", "neg", "cue")):
            out[-1]["t"] += seg["t"]
        else:
            out.append(seg)
    for left, right in zip(out, out[1:]):
        if left["t"] and right["t"] and _joining(left["t"][-1]) and _joining(right["t"][0]):
            left["t"] += ZWJ
            right["t"] = ZWJ + right["t"]
    return out or [{"t": text, "f": "", "f2": [], "neg": False, "cue": False}]


def _joining(ch: str) -> bool:
    """An Arabic letter or mark: a style change between two of them would break the joining."""
    return ("\u0600" <= ch <= "\u06FF" or "\u0750" <= ch <= "\u077F" or "\u08A0" <= ch <= "\u08FF") \
        and unicodedata.category(ch) in ("Lo", "Mn", "Lm")


def _hits_by_sentence(hits: pd.DataFrame, docs: set[str] | None = None) -> dict[tuple[str, int], list[dict]]:
    """Hits keyed by (doc_id, sentence); ``docs``: only those articles' (a corpus report shows a few)."""
    out: dict[tuple[str, int], list[dict]] = {}
    if hits is None or hits.empty:
        return out
    if docs is not None:
        hits = hits[hits["doc_id"].astype(str).isin(docs)]
    for h in hits.to_dict("records"):
        if OUT_OF_SCOPE_RULE not in str(h.get("rule") or ""):  # a cue that does not count is not highlighted
            out.setdefault((str(h["doc_id"]), int(h["sentence"])), []).append(h)
    return out


# ---------------------------------------------------------------- corpus

CORPUS_FIGURES = ["corpus_prevalence", "corpus_voice", "corpus_outlets", "corpus_time", "corpus_balance",
                  "corpus_cooccurrence_sentence", "corpus_cooccurrence_article"]


def corpus_data(res: Results, fig_dir: Path) -> dict:
    pa = stats.per_article(res)
    lab = stats.label_matrix(res.sentences)
    no_frame = not bool(lab.to_numpy().any())
    named = sorted(o for o in pa["outlet"].unique() if o != stats.UNKNOWN_OUTLET)
    dates = stats.article_dates(res)
    period = stats.choose_period(dates)
    _clear(fig_dir, CORPUS_FIGURES)
    figures: dict[str, str | None] = dict.fromkeys(
        ["prevalence", "voice", "outlets", "time", "balance", "cooc_sentence", "cooc_article"])
    messages = {}
    prev = stats.bootstrap_prevalence(res)
    if len(pa):
        figures["prevalence"] = _figure(plots.prevalence(res, table=prev), fig_dir, "corpus_prevalence")
    if not no_frame:
        figures["voice"] = _figure(plots.voice_by_frame(res), fig_dir, "corpus_voice")
        figures["cooc_sentence"] = _figure(plots.cooccurrence(res, "sentence"), fig_dir, "corpus_cooccurrence_sentence")
        figures["cooc_article"] = _figure(plots.cooccurrence(res, "article"), fig_dir, "corpus_cooccurrence_article")
    if len(named) >= 2:
        figures["outlets"] = _figure(plots.outlet_heatmap(res), fig_dir, "corpus_outlets")
    elif len(named) == 1:
        messages["outlets"] = {"ar": f"كل المقالات من وسيلة واحدة ({named[0]})، فلا مقارنة بين الوسائل.",
                               "en": f"All articles come from one outlet ({named[0]}): nothing to compare."}
    else:
        messages["outlets"] = {"ar": "لا تذكر النتائج وسيلة أي مقال (عمود source فارغ).",
                               "en": "No article has an outlet in the results (the source column is empty)."}
    n_dated = int(dates.notna().sum())
    time_caption = TEXT["time"]
    if period is not None:
        figures["time"] = _figure(plots.frames_over_time(res, period), fig_dir, "corpus_time")
        n_lines = pa["outlet"][dates.notna().to_numpy()].nunique()  # the outlets of dated articles: the figure's lines
        if not 1 < n_lines <= plots.MAX_OUTLET_LINES:  # the figure draws no line per outlet: the caption says why
            why = ("وسيلة واحدة" if n_lines <= 1 else
                   f"{n_lines} وسيلة، أكثر من {plots.MAX_OUTLET_LINES} فلا تُرسم خطوطها منفردة؛ انظر «حسب الوسيلة»")
            time_caption = TEXT["time_all_only"].format(outlets=why)
    elif n_dated == 0:
        messages["time"] = {"ar": "لا تاريخ لأي مقال في النتائج، فلا يمكن رسم التطور عبر الزمن.",
                            "en": "No article has a date in the results: no trend over time."}
    else:
        d0 = dates.dropna().min().strftime("%Y-%m-%d")
        messages["time"] = {"ar": f"كل المقالات المؤرخة ({n_dated}) في أسبوع واحد (من {d0})، فلا تطور يُرسم.",
                            "en": f"All {n_dated} dated articles fall in one week (from {d0}): no trend to draw."}
    n_os_cf = int(lab["official_success"].sum() + lab["coalition_failure"].sum()) if len(lab) else 0
    if not named:
        messages["balance"] = messages["outlets"]
    elif n_os_cf == 0:
        messages["balance"] = {"ar": "لا توجد جملة تحمل ادعاءات النجاح الرسمية أو فشل التحالف.",
                               "en": "No sentence carries official success claims or coalition failure."}
    else:
        figures["balance"] = _figure(plots.outlet_balance(res), fig_dir, "corpus_balance")

    prevalence = [{"frame": r["frame"], "sentences": str(r["sentences"]), "articles": str(r["articles"]),
                   "sentence_share": f"{_pct(r['sentence_share'])} [{_pct(r['sentence_lo'])}–{_pct(r['sentence_hi'])}]",
                   "article_share": f"{_pct(r['article_share'])} [{_pct(r['article_lo'])}–{_pct(r['article_hi'])}]"}
                  for r in prev.to_dict("records")]

    titles = dict(zip(pa["doc_id"], pa["title"]))
    outlets = dict(zip(pa["doc_id"], pa["outlet"]))
    adates = dict(zip(pa["doc_id"], pa["date"]))
    chosen = {f: stats.typical_sentences(res, f, k=TYPICAL_PER_FRAME) for f in FRAMES}
    hits = _hits_by_sentence(res.hits, {str(d) for t in chosen.values() for d in t["doc_id"]})
    typical = []
    for f, t in chosen.items():
        items = []
        for row in t.to_dict("records"):
            d = str(row["doc_id"])
            sd = sentence_data(row, hits.get((d, int(row["sentence"])), []))
            sd["score"] = f"{float(row[f'score_{f}']):.2f}"
            sd["source"] = [x for x in (_str(titles.get(d)) or d, outlets.get(d, ""),
                                        _fmt_date(adates.get(d)), f"جملة {sd['index']}") if x]
            items.append(sd)
        typical.append({"frame": f, "sentences": items,
                        "message": {"ar": "لا توجد جملة تحمل هذا الإطار.", "en": "No sentence carries this frame."}})

    counts = pa.groupby("outlet").size().sort_values(ascending=False)
    dated = dates.dropna()
    span = (f"{dated.min():%Y-%m-%d} – {dated.max():%Y-%m-%d}" if len(dated) else "لا تواريخ")
    if len(dated) and len(dated) < len(dates):
        span += f" (بلا تاريخ: {len(dates) - len(dated)})"
    header = [
        ["المقالات", str(len(pa))],
        ["الجمل", str(len(res.sentences))],
        ["الوسائل", "، ".join(f"{o} ({n})" for o, n in counts.items()) or "—"],
        ["الفترة", span],
        ["مدخلات تعذرت قراءتها", str(len(res.skipped))],
    ]
    flags = article_flags(res.articles)
    if flags["not_arabic"]:
        header.append(["مقالات بغير الخط العربي",
                       f"{flags['not_arabic']} (المعجم والنموذج يقرآن العربية، فلا تقيس درجاتهما أطر هذه المقالات؛ "
                       f"انظر العمود arabic_share)"])
    kept = (res.meta or {}).get("scope_filter")
    if kept:
        which = ("التي تذكر الحملة (داعش أو الإرهاب أو التحالف الدولي)" if kept["scope"] == "campaign" else
                 "التي تذكر الحملة أو العنف المسلح")
        header.append(["النطاق", f"المقالات {which} فقط: {kept['articles']} من {kept['of']}؛ النسب من جملها وحدها "
                                 f"(القرار P22)"])
    if flags["out_of_scope"] or flags["scope_violence_only"]:
        header.append(["مقالات خارج نطاق الحملة",
                       f"{flags['out_of_scope']} بلا أي إطار، و{flags['scope_violence_only']} لا يُحسب فيها إلا "
                       f"الخسائر المدنية (لا تذكر داعش ولا الإرهاب ولا التحالف الدولي؛ القرار P22، العمود scope)"])
    dom = res.articles.set_index(res.articles["doc_id"].astype(str))["dominant_frame"] \
        if "dominant_frame" in res.articles and len(res.articles) else pd.Series(dtype=object)
    order = pa.assign(_d=dates.values).sort_values(["outlet", "_d"], kind="stable", na_position="last")
    articles = []
    for i, row in enumerate(order.head(MAX_ARTICLE_ROWS).to_dict("records"), 1):
        dm = str(dom.get(row["doc_id"], "") or "")
        articles.append({"n": str(i), "title": _str(row["title"]) or row["doc_id"], "outlet": row["outlet"],
                         "date": _fmt_date(row["date"], time=False), "n_sentences": str(row["n_sentences"]),
                         "dominant": dm if dm in FRAMES else ""})
    note = (f"أول {MAX_ARTICLE_ROWS} من {len(pa)} مقالًا، مرتبة حسب الوسيلة ثم التاريخ؛ "
            "القائمة الكاملة في articles.csv."
            if len(pa) > MAX_ARTICLE_ROWS else "مرتبة حسب الوسيلة ثم التاريخ؛ كل الأعمدة في articles.csv.")
    corpus = {"title": "تقرير مجموعة المقالات", "header": header, "no_frame": no_frame, "prevalence": prevalence,
              "typical": typical, "messages": messages, "articles": articles, "articles_note": note,
              "time_caption": time_caption}
    return {"kind": "corpus", "doc_title": "framing: corpus report", "corpus": corpus, "figures": figures,
            "method_extra": [["فترات الثقة", f"بوتستراب مئيني 95%: {stats.BOOTSTRAP_RESAMPLES} إعادة معاينة "
                                              f"للمقالات، البذرة {stats.BOOTSTRAP_SEED}"],
                             ["الفترة الزمنية", {"month": "شهر", "week": "أسبوع"}.get(period or "", "—")]]}


# ---------------------------------------------------------------- formatting

def _pct(v: float) -> str:
    return f"{100 * float(v):.1f}%"


def _num(v, digits: int = 2) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "—"
    try:
        return f"{float(v):.{digits}f}"
    except (TypeError, ValueError):
        return str(v)


def _str(v) -> str | None:
    if v is None or (isinstance(v, float) and v != v):
        return None
    s = str(v).strip()
    return s or None


def _fmt_date(v, time: bool = True) -> str:
    """ISO date-time as ``2016-07-20 15:41`` (offset kept when there is one); "غير مذكور" when missing."""
    s = _str(v)
    if not s:
        return "غير مذكور"
    try:
        dt = datetime.fromisoformat(s)
    except ValueError:
        return s
    if not time or (dt.hour, dt.minute, dt.second) == (0, 0, 0) and len(s) <= 10:
        return dt.strftime("%Y-%m-%d")
    out = dt.strftime("%Y-%m-%d %H:%M")
    if dt.utcoffset() is not None:
        off = dt.strftime("%z")
        out += " UTC" if off == "+0000" else f" ({off[:3]}:{off[3:]})"
    return out


def _timestamp(meta: dict) -> datetime | None:
    """The run's creation time: the PDF carries it, so the same results give the same PDF."""
    s = _str((meta or {}).get("created"))
    try:
        dt = datetime.fromisoformat(s) if s else None
    except ValueError:
        return None
    return dt if dt is not None and dt.tzinfo is not None else None


def _clean(o):
    """JSON-safe: NaN and infinities become None, numpy scalars become Python ones."""
    if isinstance(o, dict):
        return {str(k): _clean(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_clean(v) for v in o]
    if hasattr(o, "item") and not isinstance(o, (str, bytes)):
        o = o.item()
    if isinstance(o, float) and not math.isfinite(o):
        return None
    return o


__all__ = ["build_report", "article_data", "corpus_data", "sentence_data", "segments", "evaluation_data"]
