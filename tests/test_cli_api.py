import json
import re

import pandas as pd
from typer.testing import CliRunner

import framing
from framing.cli import app
from framing.lexicon import load_lexicon
from conftest import SEED

runner = CliRunner()


def _not_json(constant: str):
    raise ValueError(f"{constant} is not JSON: other programs cannot read the file")


def test_analyze_writes_tables_excel_can_read(tmp_path):
    out = tmp_path / "res"
    r = runner.invoke(app, ["analyze", str(SEED.parent), "-o", str(out)])
    assert r.exit_code == 0, r.output
    raw = (out / "sentences.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens Arabic correctly
    sents = pd.read_csv(out / "sentences.csv", encoding="utf-8-sig")
    arts = pd.read_csv(out / "articles.csv", encoding="utf-8-sig")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"), parse_constant=_not_json)
    assert len(arts) == 1 and arts.loc[0, "n_sentences"] == len(sents)
    assert summary["settings"]["rules"]["NEGATION_WINDOW"] == 3 and not any(
        k.startswith("_") for k in summary["settings"]["rules"])  # the knobs, not private constants
    assert summary["lexicon"]["name"] == "coalition" and summary["lexicon"]["version"]
    assert summary["counts"]["sentences"] == len(sents)
    assert set(sents["voice"]) <= {"authorial", "official", "other_source"}
    assert (sents["label_threat"] == sents["labels"].fillna("").str.contains("threat")).all()


def test_api_matches_saved_results(tmp_path):
    res = framing.analyze(SEED)
    res.save(tmp_path)
    back = framing.load(tmp_path)
    assert list(back.sentences["text"]) == list(res.sentences["text"])
    assert back.articles.loc[0, "dominant_frame"] == res.articles.loc[0, "dominant_frame"]


def test_dataframe_input_without_files():
    df = pd.DataFrame({"body": ["قتل 12 مدنيا في تفجير انتحاري.", "", "فاز الفريق بالكأس."], "outlet": ["a", "b", "c"],
                       "key": ["x1", "x2", "x3"]})
    res = framing.analyze(df, text_column="body", id_column="key")
    assert list(res.articles["doc_id"]) == ["x1", "x3"]
    assert res.skipped.loc[0, "location"].startswith("row 1")
    first = res.sentences[res.sentences.doc_id == "x1"].iloc[0]
    assert first["label_civilian_harm"] and first["label_threat"]


def test_dataframe_rows_are_read_like_file_records():
    """Dates become ISO 8601, outlet aliases one name, and an id column is found as in JSON/CSV."""
    df = pd.DataFrame({"text": ["قتل 12 مدنيا في تفجير انتحاري.", "عقد اجتماع للتحالف الدولي."],
                       "date": ["20 يوليو 2016", pd.Timestamp("2016-07-21")],
                       "outlet": ["aawsat.com", "عكاظ"], "title": ["عنوان", None],
                       "url": ["http://a/1", "http://a/2"]})
    arts = framing.analyze(df, model=False).articles.set_index("doc_id")
    assert list(arts.index) == ["http://a/1", "http://a/2"]
    assert list(arts["date"]) == ["2016-07-20", "2016-07-21T00:00:00"]
    assert list(arts["source"]) == ["Asharq Al-Awsat", "Okaz"]
    na = pd.DataFrame({"text": pd.array(["عقد اجتماع للتحالف."], dtype="string"), "date": pd.array([pd.NA], dtype="string")})
    assert framing.analyze(na, model=False).articles["date"].isna().all()  # pd.NA is an empty cell, not an error
    multi = pd.DataFrame({"text": ["عقد اجتماع للتحالف."] * 2}, index=pd.MultiIndex.from_tuples([("a", 1), ("a", 2)]))
    assert framing.analyze(multi, model=False).articles["doc_id"].tolist() == ["a/1", "a/2"]  # no id column: the index


def test_score_jsonl_keeps_order_and_names_bad_line(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "a", "text": "قتل 5 مدنيين"}\n{"id": "b" "text"}\n{"id": "c", "text": "عقد اجتماع للتحالف"}\n',
                   encoding="utf-8")
    out = tmp_path / "out.jsonl"
    r = runner.invoke(app, ["score", str(src), "-o", str(out)])
    assert r.exit_code == 1
    assert f"{src}:2" in r.output
    recs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r.get("id") for r in recs] == ["a", None, "c"]
    assert recs[0]["labels"] == ["civilian_harm"] and recs[2]["labels"] == ["diplomacy"]


def test_explain_prints_cues():
    r = runner.invoke(app, ["explain", "ولم يحقق التحالف تقدما ملحوظا"])
    assert r.exit_code == 0
    assert "coalition_failure" in r.output and "negated" in r.output


def test_lexicon_check_reports_error(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nversion: 1\nframes:\n  threat:\n    entries:\n      - {term: خطر, weight: -1}\n", encoding="utf-8")
    r = runner.invoke(app, ["lexicon", "check", str(bad)])
    assert r.exit_code == 1 and "bad.yaml:6" in r.output
    ok = runner.invoke(app, ["lexicon", "check"])
    assert ok.exit_code == 0
    out = " ".join(ok.output.split())
    for frame, t in load_lexicon().thresholds.items():  # each frame with the threshold its `threshold:` sets
        assert re.search(rf"{frame} \d+ \(labels at {t:.2f}\)", out), frame


def test_documents_not_in_arabic_are_flagged(tmp_path):
    """English articles get scores, but the run says the Arabic lexicon and model do not measure them."""
    from framing.text import SCRIPT_SAMPLE, arabic_share, arabic_shares

    assert arabic_share("قال المتحدث إن التحالف يحقق تقدما") == 1.0
    assert arabic_share("The coalition says it is making progress.") == 0.0
    assert arabic_share("2015 - 3.5 %") == 0.0
    assert 0.4 < arabic_share("داعش ISIS تنظيم State") < 0.6
    # a batch is counted with arrays: the same shares, astral letters and the sample's edge included
    texts = ["", "قال المتحدث", "𝐀𝐁 داعش 😀", "x" * SCRIPT_SAMPLE + "داعش", "ﻻ ﷲ ٣ ـ", "داعش ISIS تنظيم State"]
    assert arabic_shares(texts) == [arabic_share(t) for t in texts]
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.jsonl").write_text(
        json.dumps({"id": "ar", "text": "قتل 12 مدنيا في تفجير انتحاري تبناه داعش."}, ensure_ascii=False) + "\n"
        + json.dumps({"id": "en", "text": "Twelve civilians were killed in a suicide bombing claimed by ISIS."}) + "\n",
        encoding="utf-8")
    r = runner.invoke(app, ["analyze", str(src), "-o", str(tmp_path / "out"), "--no-report", "--lexicon-only"])
    assert r.exit_code == 0, r.output
    assert "1 of 2 documents are mostly not in Arabic" in " ".join(r.output.split())
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["counts"]["not_arabic"] == 1
    arts = framing.load(tmp_path / "out").articles.set_index("doc_id")
    assert arts.loc["ar", "arabic_share"] == 1.0 and arts.loc["en", "arabic_share"] == 0.0
    assert framing.analyze(src, model=False).meta["counts"]["not_arabic"] == 1
