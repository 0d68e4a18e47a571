"""The PDF report: built from a results folder, Arabic text in logical order, markup printed as text."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

import framing
from framing.lexicon import FRAMES
from framing.report import build_report, plots, stats
from framing.report.build import segments

from conftest import ROOT

ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
LTR_RUN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.,:%/_+\- ]*[A-Za-z0-9])?")
MARKS = re.compile(r"[\u064B-\u065F\u0670\u06D6-\u06ED\u200c-\u200f]")
FOOTER = re.compile(r"^\d+ / \d+ ")


# ------------------------------------------------------------------ reading the PDF back

def pdf_lines(path) -> list[str]:
    return list(_pdf_lines(str(path), Path(path).stat().st_mtime_ns))


@lru_cache(maxsize=16)
def _pdf_lines(path: str, mtime: int) -> tuple[str, ...]:
    """The PDF's lines in logical (reading) order, from pypdf.

    pypdf's layout mode gives each line in visual order, left to right: for an
    Arabic line that is the text reversed, so the line is turned around and
    the runs of Latin letters and digits inside it turned back. Page footers
    are left out.
    """
    out = []
    for page in PdfReader(path).pages:
        for line in page.extract_text(extraction_mode="layout").splitlines():
            line = " ".join(line.split())
            if not line:
                continue
            if ARABIC.search(line):
                line = LTR_RUN.sub(lambda m: m.group(0)[::-1], line[::-1])
            if not FOOTER.match(line):
                out.append(line)
    return tuple(out)


def skeleton(word: str) -> str:
    """A word as pypdf can give it back: no diacritics or joiners, a doubled letter counted once.

    Typst writes a glyph cluster that is not one glyph per character (Amiri's
    ligatures such as لك, a letter with tanween) with /ActualText, which pypdf
    does not read: such clusters may come back with a letter doubled.
    """
    return re.sub(r"(.)\1+", r"\1", MARKS.sub("", word))


def same(got: str, want: str) -> bool:
    """A word as read back: equal, or with one stray letter at an end (a mark's base glyph set on its own line)."""
    return got == want or (len(got) == len(want) + 1 and (got.endswith(want) or got.startswith(want)))


def find_in_order(sentence: str, words: list[str], max_gap: int = 3, after: int = -1) -> int:
    """Where the undiacritized words of ``sentence`` occur in ``words``, in the same order and at most
    ``max_gap`` words apart (the index of the first one, searching after ``after``); -1 if they do not."""
    want = [skeleton(w) for w in sentence.split() if not MARKS.search(w)]
    if not want:
        return after + 1
    for first in (i for i, w in enumerate(words) if same(w, want[0]) and i > after):
        pos, ok = first, True
        for w in want[1:]:
            nxt = next((k for k in range(pos + 1, min(pos + 2 + max_gap, len(words))) if same(words[k], w)), None)
            if nxt is None:
                ok = False
                break
            pos = nxt
        if ok:
            return first
    return -1


def appears_in_order(sentence: str, words: list[str]) -> bool:
    return find_in_order(sentence, words) >= 0


def pdf_words(path) -> list[str]:
    return [skeleton(w) for w in " ".join(pdf_lines(path)).split()]


def flat(path) -> str:
    return " ".join(" ".join(pdf_lines(path)).replace("\u200d", "").split())


# ------------------------------------------------------------------ made-up articles

OUTLET_A, OUTLET_B = "الوكالة الأولى", "Daily Example"
BODIES = [
    "وقال المتحدث باسم التحالف الدولي إن التحالف يحقق نجاحات على الأرض ضد تنظيم داعش.\n"
    "ويرى محللون أن التحالف فشل في وقف هجمات التنظيم.\n"
    "وأسفرت غارة عن مقتل عشرة مدنيين بينهم أطفال.",
    "تجتمع الدول المشاركة في التحالف الدولي في مؤتمر لتنسيق الحملة ضد داعش.\n"
    "واستعادت القوات العراقية مدينة الفلوجة وتقدمت باتجاه الموصل.\n"
    "ولم يزل التنظيم يتمدد ويشكل خطرا على المنطقة.",
    "أكد وزير الدفاع أن التحالف حقق إنجازا كبيرا بتدمير مواقع التنظيم.\n"
    "لكن التحالف يقف عاجزا أمام هجمات داعش المتكررة.\n"
    "وأعلنت الأمم المتحدة نزوح آلاف المدنيين من المدينة.",
]
DATES = ["الأربعاء 20/يوليو/2016 - 03:41 م", "الخميس 11/أغسطس/2016 - 10:15 ص"]


def layout_text(i: int, date: str) -> str:
    """An article in the seed layout: title line, date line, body."""
    return f"التحالف الدولي والحرب على داعش: تقرير رقم {i + 1}\n{date}\n\n{BODIES[i % len(BODIES)]}\n"


def corpus_frame() -> pd.DataFrame:
    """Six articles, two outlets, two months, read with the seed-layout parser, handed over as a DataFrame."""
    rows = []
    for i in range(6):
        doc = framing.parse_article(layout_text(i, DATES[i % 2]), f"a{i}")
        rows.append({"id": f"a{i}", "title": doc.title, "date": doc.date, "body": doc.body,
                     "source": OUTLET_A if i < 3 else OUTLET_B})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def corpus_res():
    return framing.analyze(corpus_frame(), text_column="body", id_column="id")


@pytest.fixture(scope="module")
def seed_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("seed")
    from framing.cli import app

    result = CliRunner().invoke(app, ["analyze", str(ROOT / "seeds"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


# ------------------------------------------------------------------ single article

def test_analyze_writes_the_report_and_its_figures(seed_report):
    pdf = seed_report / "report.pdf"
    assert pdf.exists() and pdf.stat().st_size > 10_000
    for name in ("article_profile", "article_trajectory", "article_voice"):
        assert (seed_report / "figures" / f"{name}.png").stat().st_size > 1000
        assert (seed_report / "figures" / f"{name}.svg").stat().st_size > 1000


def test_seed_report_has_title_and_every_sentence_in_logical_order(seed_report):
    res = framing.load(seed_report)
    pdf = seed_report / "report.pdf"
    title = res.articles["title"].iloc[0]
    assert " ".join(title.split()) in flat(pdf)
    words = pdf_words(pdf)
    text = res.sentences.sort_values("sentence")["text"].tolist()
    missing = [t[:60] for t in text if not appears_in_order(t, words)]
    assert not missing, missing
    # the words in visual (reversed) order are not found: the check really reads right to left
    assert not appears_in_order(" ".join(reversed(text[1].split())), words)
    # and the sentences follow each other as in the article
    pos = -1
    for t in text[1:]:
        pos = find_in_order(t, words, after=pos)
        assert pos >= 0, t[:60]


def test_seed_report_method_section(seed_report):
    text = flat(seed_report / "report.pdf")
    meta = framing.load(seed_report).meta
    assert meta["lexicon"]["sha256"] in text
    assert f"framing {meta['software']['version']}" in text
    # the bundled model carries its cross-validated evaluation; the method page shows it
    ev = meta["evaluation"]
    assert "Validation" in text and "Not available" not in text
    assert f"{ev['macro_f1']:.3f}" in text and f"{ev['per_frame']['threat']['f1']:.3f}" in text



def test_lexicon_only_report_says_validation_is_not_available(tmp_path):
    res = framing.analyze(ROOT / "seeds", model=False)
    assert "evaluation" not in res.meta
    pdf = build_report(res, tmp_path / "lex.pdf")
    assert "Not available" in flat(pdf)


def test_report_command_rebuilds_from_the_folder(seed_report, tmp_path):
    from framing.cli import app

    out = tmp_path / "again.pdf"
    result = CliRunner().invoke(app, ["report", str(seed_report), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.exists() and (tmp_path / "figures" / "article_profile.svg").exists()
    assert "report →" in result.output


def test_markup_characters_print_as_themselves(tmp_path):
    tricky = "قال المصدر إن الرمز # والعملة $ والنجمة * والشرطة _ والعلامة < والحساب @ والمسار \\ كلها نص."
    code = "#panic(\"spliced\") $x^2$ *bold* _it_ <lab> @ref \\u{41} // c"
    df = pd.DataFrame({"text": [f"{tricky}\n{code}\nوتحالف دولي يواجه تنظيم داعش."],
                       "title": ["عنوان فيه # و$ و\\ و@"]})
    res = framing.analyze(df, text_column="text")
    pdf = build_report(res, tmp_path / "r.pdf")
    text = flat(pdf)
    for ch in "#$*_<@\\":
        assert text.count(ch) >= tricky.count(ch) + code.count(ch), ch
    # "<lab" and not "<lab>": in the right-to-left sentence above, "<" is drawn with the mirrored glyph ">",
    # and a PDF maps each glyph to one character, so pypdf reads this ">" back as "<"
    for token in ('#panic("spliced")', "$x^2$", "*bold*", "_it_", "<lab", "@ref", "\\u{41}", "// c"):
        assert token in text, token
    assert appears_in_order(tricky, pdf_words(pdf))


def test_article_with_no_framed_sentence(tmp_path):
    body = "فاز الفريق بالمباراة بثلاثة أهداف.\nوسجل اللاعب هدفين في الشوط الثاني.\nوتقام المباراة المقبلة يوم الجمعة."
    res = framing.analyze(pd.DataFrame({"text": [body], "title": ["مباراة كرة القدم"]}), text_column="text")
    # the case under test is "no sentence carries a frame", whichever scorer is active
    for f in FRAMES:
        res.sentences[f"label_{f}"] = False
    res.sentences["labels"] = ""
    pdf = build_report(res, tmp_path / "r.pdf")
    text = flat(pdf)
    assert "No sentence carries any of the six frames" in text
    assert appears_in_order("وسجل اللاعب هدفين في الشوط الثاني.", pdf_words(pdf))
    assert not (tmp_path / "figures" / "article_voice.png").exists()


def test_segments_split_at_cues_and_keep_letters_joined():
    text = "وتجتمع الدول المشاركة"
    segs = segments(text, [(0, 6, "diplomacy", False), (7, 21, "diplomacy", False), (10, 14, "threat", True)])
    assert "".join(s["t"] for s in segs).replace("\u200d", "") == text
    assert segs[0] == {"t": "وتجتمع", "f": "diplomacy", "f2": [], "neg": False, "cue": False}
    inner = [s for s in segs if s["f2"] == ["threat"]]
    assert inner and inner[0]["neg"] and inner[0]["t"].startswith("\u200d")  # boundary inside «الدول»


# ------------------------------------------------------------------ corpus

def test_corpus_report_two_outlets_two_months(tmp_path, corpus_res):
    res = corpus_res
    assert res.articles["source"].nunique() == 2
    res.save(tmp_path)
    pdf = build_report(tmp_path)
    assert pdf == tmp_path / "report.pdf"
    fig = tmp_path / "figures"
    for name in ("corpus_prevalence", "corpus_voice", "corpus_outlets", "corpus_time", "corpus_balance",
                 "corpus_cooccurrence_sentence", "corpus_cooccurrence_article"):
        assert (fig / f"{name}.png").exists() and (fig / f"{name}.svg").exists(), name
    text = flat(pdf)
    for heading in ("Prevalence", "By outlet", "Over time", "Official success vs coalition failure",
                    "Frame co-occurrence", "Most typical sentences", "Method", "Articles"):
        assert heading in text, heading
    assert OUTLET_B in text and "2016-07" in text and "2016-08" in text
    assert "لا يُرسم هذا القسم" not in text
    # the typical sentences of a frame are real sentences of the corpus, printed in order
    words = pdf_words(pdf)
    typical = stats.typical_sentences(res, "diplomacy", k=3)
    assert len(typical) and all(appears_in_order(t, words) for t in typical["text"])


def test_time_caption_says_when_outlets_get_no_line_of_their_own(tmp_path, corpus_res):
    from framing.report.build import TEXT, corpus_data

    assert corpus_data(corpus_res, tmp_path / "a")["corpus"]["time_caption"] == TEXT["time"]  # two outlets: drawn
    many = pd.concat([corpus_frame().assign(id=lambda d: d["id"] + f"-{k}") for k in range(2)], ignore_index=True)
    many["source"] = [f"وسيلة {i}" for i in range(len(many))]  # 12 outlets: only all outlets together are drawn
    caption = corpus_data(framing.analyze(many, text_column="body", id_column="id"), tmp_path / "b")["corpus"]["time_caption"]
    assert caption != TEXT["time"] and f"{len(many)} وسيلة" in caption and "لا تُرسم" in caption


def test_typical_sentences_put_bare_headlines_last_and_show_a_copy_once():
    rows = [("a", "داعش", 0.99), ("b", "ولم يزل التنظيم يتمدد ويشكل خطرا على المنطقة", 0.95),
            ("c", "التنظيم يتمدد في المنطقة كلها", 0.97), ("d", "خطر داعش", 0.98),
            ("e", "التنظيم  يتمدّد في المنطقة كلها اليوم", 0.97)]  # a wire copy of c, lightly edited
    s = pd.DataFrame([{"doc_id": d, "sentence": 0, "text": t, "score_threat": sc, "label_threat": True} for d, t, sc in rows])
    res = framing.Results(s, pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), {})
    assert stats.typical_sentences(res, "threat", k=3)["doc_id"].tolist() == ["c", "b", "a"]


def test_bootstrap_is_reproducible_and_resamples_articles(corpus_res):
    res = corpus_res
    a, b = stats.bootstrap_prevalence(res), stats.bootstrap_prevalence(res)
    pd.testing.assert_frame_equal(a, b)
    assert ((a["sentence_lo"] <= a["sentence_share"] + 1e-12) & (a["sentence_share"] <= a["sentence_hi"] + 1e-12)).all()
    lab = stats.label_matrix(res.sentences)
    assert a.set_index("frame")["sentences"].to_dict() == {f: int(lab[f].sum()) for f in FRAMES}
    co = stats.cooccurrence(res, "sentence")
    assert all(co.loc[f, f] == lab[f].sum() for f in FRAMES) and (co.values == co.values.T).all()


def test_per_article_sees_edits_outside_a_report_and_is_computed_once_inside(corpus_res):
    """A notebook that edits a table in place gets the edited counts; while a report is built the
    per-article table is computed once, and a table replaced meanwhile is read afresh."""
    res = framing.Results(corpus_res.sentences.copy(), corpus_res.articles.copy(), corpus_res.hits,
                          corpus_res.skipped, dict(corpus_res.meta))
    before = stats.per_article(res)
    res.sentences["label_threat"] = True  # in place
    after = stats.per_article(res)
    assert (after["threat"] == after["n_sentences"]).all() and not before["threat"].equals(after["threat"])
    with stats.computed_once():
        first = stats.per_article(res)
        first["threat"] = -1  # a caller's change to its copy stays its own
        assert stats.per_article(res).equals(after)
        res.sentences = res.sentences.assign(label_threat=False)  # a new table
        assert (stats.per_article(res)["threat"] == 0).all()


def test_corpus_with_one_outlet_and_no_dates_says_so(tmp_path):
    df = pd.DataFrame({"text": BODIES * 2, "source": "وكالة واحدة"})
    res = framing.analyze(df, text_column="text")
    pdf = build_report(res, tmp_path / "r.pdf")
    text = flat(pdf)
    assert "All articles come from one outlet" in text
    assert "No article has a date in the results" in text
    assert not (tmp_path / "figures" / "corpus_time.png").exists()
    assert not (tmp_path / "figures" / "corpus_outlets.png").exists()
    assert (tmp_path / "figures" / "corpus_prevalence.png").exists()


def test_plot_functions_return_figures(corpus_res):
    res = corpus_res
    for fig in (plots.frame_profile(res), plots.voice_by_frame(res), plots.prevalence(res, n_boot=50),
                plots.outlet_heatmap(res), plots.frames_over_time(res), plots.outlet_balance(res),
                plots.cooccurrence(res, "article"), plots.frame_trajectory(res, doc_id="a0")):
        assert fig.axes
