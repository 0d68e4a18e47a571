"""The analyst-facing Results API: grouped prevalence, figures, KWIC, HTML views, Parquet."""
import pandas as pd
import pytest
from matplotlib.figure import Figure

import framing

ARTICLES = pd.DataFrame({
    "id": ["a1", "a2", "a3", "a4"],
    "source": ["العربية", "العربية", "بي بي سي", "بي بي سي"],
    "date": ["2018-03-02", "2018-04-11", "2018-03-20", "2018-04-05"],
    "title": ["هجوم انتحاري", "اجتماع التحالف", "مقتل مدنيين", "تقدم القوات"],
    "text": ["قتل 12 مدنيا في تفجير انتحاري تبناه داعش. وقال مصدر أمني إن القوات أحبطت هجوما آخر.",
             "عقد وزراء خارجية التحالف الدولي اجتماعا في واشنطن لتنسيق الحملة. <script>alert(1)</script>",
             "ووفق المرصد السوري فإن 20 مدنيا قتلوا في غارات. وقال محللون إن التحالف فشل في حماية المدنيين.",
             "واستعادت القوات العراقية مدينة الموصل بعد معارك عنيفة. وأعلن الجيش تحرير المدينة بالكامل."],
})


@pytest.fixture(scope="module")
def res():
    return framing.analyze(ARTICLES, id_column="id", model=False)


def test_by_source_and_month_have_intervals(res):
    by_source = res.by("source", n_boot=200)
    assert set(by_source["source"]) == {"Al Arabiya", "BBC Arabic"}  # outlet aliases canonicalised
    assert (by_source["sentence_lo"] <= by_source["sentence_share"]).all()
    assert (by_source["sentence_share"] <= by_source["sentence_hi"]).all()
    by_month = res.by("month", n_boot=200)
    assert set(by_month["month"]) == {"2018-03", "2018-04"}
    with pytest.raises(KeyError):
        res.by("colour")


def test_every_figure_is_a_matplotlib_figure(res):
    assert isinstance(res.plot.frame_profile(), Figure)
    assert isinstance(res.plot.prevalence(n_boot=50), Figure)
    with pytest.raises(AttributeError):
        res.plot.no_such_figure()


def test_kwic_by_frame_and_by_term(res):
    threat = res.kwic("threat")
    assert "انتحاري" in set(threat["match"])
    term = res.kwic("مدني*")
    assert len(term) >= 3 and all("مدني" in m for m in term["match"])


def test_article_html_is_rtl_highlighted_and_escaped(res):
    html = res.article("a2")._repr_html_()
    assert 'dir="rtl"' in html and "<mark" in html
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_parquet_round_trip(res, tmp_path):
    res.to_parquet(tmp_path)
    back = framing.load(tmp_path)
    pd.testing.assert_frame_equal(back.sentences.reset_index(drop=True), res.sentences.reset_index(drop=True),
                                  check_dtype=False)
    assert back.meta["counts"] == res.meta["counts"]
