"""The article-scope rule (codebook P22): frames only where an article is coverage of the campaign."""
import numpy as np
import pandas as pd
import pytest

import framing
from framing.evaluate import closed_mask
from framing.lexicon import FRAMES, load_lexicon

ARTICLES = pd.DataFrame({
    "id": ["sport", "war", "isis"],
    "text": [
        # no campaign word, no armed violence: failure, danger and a meeting in a football story
        "فشل الفريق في الفوز رغم مخاطر الهبوط الكبيرة.\nوعقد رئيس النادي اجتماعا مع المدرب لبحث التنسيق.",
        # another war: civilians killed by shelling, and a meeting about it
        "قتل عشرة مدنيين وأصيب عشرون في قصف على الغوطة الشرقية.\nوعقد مجلس الأمن اجتماعا طارئا لبحث التنسيق.",
        # the campaign
        "وقال المتحدث إن تنظيم داعش يشكل خطرا متزايدا على المنطقة.\nوعقد وزراء التحالف الدولي اجتماعا لبحث التنسيق.",
    ],
})


@pytest.fixture(scope="module")
def lexicon_only():
    return framing.analyze(ARTICLES, model=False)


def test_each_article_gets_its_scope_and_the_words_that_decide_it(lexicon_only):
    arts = lexicon_only.articles.set_index("doc_id")
    assert arts.loc[["sport", "war", "isis"], "scope"].tolist() == ["none", "violence", "campaign"]
    assert arts.loc["sport", "scope_words"] == ""
    assert arts.loc["war", "scope_words"] == "قصف"
    assert arts.loc["isis", "scope_words"] == "داعش"


def test_out_of_scope_frames_are_closed_but_their_evidence_kept(lexicon_only):
    s, hits = lexicon_only.sentences, lexicon_only.hits
    sport = s[s.doc_id == "sport"]
    assert sport["labels"].eq("").all() and (sport[[f"score_{f}" for f in FRAMES]] == 0).all().all()
    assert sport[[f"lexicon_{f}" for f in FRAMES]].to_numpy().sum() > 0  # the lexicon found frame words ...
    sport_hits = hits[hits.doc_id == "sport"]
    assert len(sport_hits) and sport_hits["rule"].str.contains("P22").all()  # ... and says why they do not count
    war = s[s.doc_id == "war"].set_index("sentence")
    assert war.loc[0, "label_civilian_harm"]  # harm in another war counts (P2) ...
    assert not war[[f"label_{f}" for f in FRAMES if f != "civilian_harm"]].any().any()  # ... nothing else does
    isis = s[s.doc_id == "isis"].set_index("sentence")
    assert isis.loc[0, "label_threat"] and isis.loc[1, "label_diplomacy"]
    assert not hits[hits.doc_id == "isis"]["rule"].str.contains("P22").any()


def test_scope_rule_applies_after_the_classifier():
    res = framing.analyze(ARTICLES)
    s = res.sentences
    assert not s[s.doc_id == "sport"][[f"label_{f}" for f in FRAMES]].any().any()
    assert (s[s.doc_id == "sport"][[f"score_{f}" for f in FRAMES]] == 0).all().all()
    assert s[s.doc_id == "isis"]["labels"].ne("").all()


def test_a_lexicon_without_scope_terms_closes_nothing(tmp_path):
    from framing.lexicon import default_lexicon_path

    text = default_lexicon_path().read_text(encoding="utf-8")
    plain = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("scope_"))
    path = tmp_path / "plain.yaml"
    path.write_text(plain, encoding="utf-8")
    assert not load_lexicon(path).has_scope
    res = framing.analyze(ARTICLES, lexicon=path, model=False)
    assert res.articles["scope"].eq("").all()
    assert res.sentences[res.sentences.doc_id == "sport"]["labels"].ne("").any()


def test_closed_mask_follows_each_sentences_article():
    mask = closed_mask(["", "campaign", "", "violence", ""], ["a", "a", "b", "b", "c"])
    assert not mask[:2].any()                                    # a names the campaign in one sentence
    assert mask[2:4].sum(axis=1).tolist() == [len(FRAMES) - 1] * 2  # b: civilian_harm stays open
    assert not mask[2:4, FRAMES.index("civilian_harm")].any()
    assert mask[4].all() and np.asarray(mask).shape == (5, len(FRAMES))


def test_article_report_says_why_an_article_out_of_scope_has_no_frame(lexicon_only, tmp_path):
    from framing.report import stats
    from framing.report.build import article_data

    sport = article_data(stats.article_of(lexicon_only, "sport"), tmp_path)["article"]
    assert "P22" in sport["scope_note"]["en"]
    assert all(not seg["f"] for s in sport["sentences"] for seg in s["segments"])  # its cues do not count: no colour
    war = article_data(stats.article_of(lexicon_only, "war"), tmp_path)["article"]
    assert "قصف" in war["scope_note"]["ar"]
    assert article_data(stats.article_of(lexicon_only, "isis"), tmp_path)["article"]["scope_note"] is None


def test_the_rule_can_be_switched_off(tmp_path):
    res = framing.analyze(ARTICLES, model=False, scope_rule=False)
    assert res.articles["scope"].eq("").all() and res.meta["settings"]["scope_rule"] is False
    assert res.sentences[res.sentences.doc_id == "sport"]["labels"].ne("").any()
    from typer.testing import CliRunner
    from framing.cli import app

    src = tmp_path / "in.csv"
    ARTICLES.to_csv(src, index=False)
    out = CliRunner().invoke(app, ["analyze", str(src), "-o", str(tmp_path / "o"), "--lexicon-only", "--no-report",
                                   "--no-scope-rule", "--jobs", "1"])
    assert out.exit_code == 0, out.output
    assert pd.read_csv(tmp_path / "o" / "articles.csv", encoding="utf-8-sig", keep_default_na=False)["scope"].eq("").all()


def test_switching_the_rule_off_leaves_the_lexicons_own_evidence_unchanged():
    """Scope terms are read apart from the rules whether or not the rule applies: voice and scores agree."""
    from framing import api

    # the last two: sentences of a gold article where «جبهة النصرة», a scope term, sits in a continuing voice
    texts = list(ARTICLES["text"].str.split("\n").explode()) + [
        "وتناقلت مواقع التواصل الاجتماعي بيانا صادرا عن الفرقة 30 جاء فيه \"استنكرت قيادة الفرقة 30 قيام عناصر "
        "تابعة لجبهة النصرة بخطف العقيد نديم الحسن قائد الفرقة 30 ورفاقه في ريف حلب الشمالي\".",
        "وطالبت الفرقة \"الاخوة في جبهة النصرة بإطلاق\" المخطوفين \"بأقصى سرعة حقنا لدماء المسلمين\"."]
    groups = [g for g, t in zip(ARTICLES["id"], ARTICLES["text"]) for _ in t.split("\n")] + ["nusra", "nusra"]
    on = list(api.scorer().score_in_order(texts, groups))
    off = list(api.scorer(scope_rule=False).score_in_order(texts, groups))
    assert [(s.voice, s.scores, len(s.hits)) for s in on] == [(s.voice, s.scores, len(s.hits)) for s in off]


def test_report_on_the_campaigns_coverage_only(lexicon_only, tmp_path):
    """--scope keeps the articles in scope: shares count their sentences alone, and the header says so."""
    from typer.testing import CliRunner
    from framing.cli import app
    from framing.report import stats
    from test_report import flat

    campaign = lexicon_only.in_scope("campaign")
    assert set(campaign.articles["doc_id"]) == {"isis"} and set(campaign.sentences["doc_id"]) == {"isis"}
    assert set(lexicon_only.in_scope("violence").articles["doc_id"]) == {"war", "isis"}
    share = stats.bootstrap_prevalence(campaign).set_index("frame")["sentence_share"]
    assert share["threat"] == campaign.sentences["label_threat"].mean() > lexicon_only.sentences["label_threat"].mean()
    lexicon_only.save(tmp_path / "res")
    out = CliRunner().invoke(app, ["report", str(tmp_path / "res"), "--scope", "campaign"])
    assert out.exit_code == 0, out.output
    text = flat(tmp_path / "res" / "campaign" / "report.pdf")
    assert "1 من 3" in text and "P22" in text
    with pytest.raises(ValueError, match="scope must be one of"):
        lexicon_only.in_scope("isis")
    with pytest.raises(ValueError, match="no-scope-rule"):
        framing.analyze(ARTICLES, model=False, scope_rule=False).in_scope()
