"""The lexicon workbench: lint, stats, suggest, kwic, dictionary import/export (framing/workbench.py)."""
import json

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

import framing
from framing import workbench
from framing.cli import app
from framing.lexicon import load_lexicon

runner = CliRunner()

LEXICON = """\
name: tiny
version: 0.1.0
frames:
  threat:
    entries:
      - {term: هجوم}
      - {term: تبناه*, weight: 0.8}
      - {term: تبناها, weight: 0.8}
      - {term: خطر}
  civilian_harm:
    entries:
      - {term: ابرياء}
      - {term: الابرياء}
      - {term: ضحايا}
  diplomacy:
    entries:
      - {term: اجتماع*}
      - {term: خطر, weight: 0.5}
      - {term: جنيف, weight: 0.8}
cues:
  negators: [لم]
"""


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def lex_path(tmp_path):
    return _write(tmp_path / "tiny.yaml", LEXICON)


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    _write(folder / "a.txt", "وقع هجوم في المدينة.\nوسقط ضحايا من الأبرياء.\nوعقد اجتماع للوزراء.\n")
    _write(folder / "b.txt", "هجوم جديد على القرية، والهجوم تبناها التنظيم.\n")
    return folder


def _gold(tmp_path, records):
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps({"voice": "authorial", **r}, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    return path


# --- lint ----------------------------------------------------------------------

def test_lint_finds_shadowed_entries_and_duplicates(lex_path):
    findings = workbench.lint_lexicon(lex_path)
    assert not [f for f in findings if f.severity == "error"]
    shadowed = {f.entry: f for f in findings if f.kind == "shadowed"}
    assert set(shadowed) == {"الابرياء", "تبناها"}
    assert shadowed["الابرياء"].line == 13 and "'ابرياء' (line 12)" in shadowed["الابرياء"].message
    assert "never counts" in shadowed["تبناها"].message
    dups = [f for f in findings if f.kind == "duplicate"]
    assert len(dups) == 1 and dups[0].entry == "خطر" and dups[0].line == 18
    assert "frame threat" in dups[0].message and str(dups[0]).startswith(f"{lex_path}:18: warning:")


def test_lint_collects_every_error_with_line_and_entry(tmp_path):
    bad = _write(tmp_path / "bad.yaml", LEXICON.replace("{term: خطر}", "{term: خطر, weight: 7}")
                 .replace("{term: جنيف, weight: 0.8}", "{term: جن.يف}")
                 .replace("  negators: [لم]", "  negators: [لم]\n  negaters: [لا]"))
    errors = [f for f in workbench.lint_lexicon(bad) if f.severity == "error"]
    assert {(f.kind, f.line) for f in errors} == {("weight", 9), ("cannot-match", 19), ("unknown-cue", 22)}
    assert {f.entry for f in errors} >= {"خطر", "جن.يف"}


def test_lint_warns_about_letters_normalized_text_never_has(tmp_path):
    path = _write(tmp_path / "fa.yaml", "name: t\nversion: 1\nframes:\n  threat:\n    entries:\n      - {term: خطری}\n")
    (f,) = workbench.lint_lexicon(path)
    assert f.kind == "cannot-match" and f.line == 6 and "'ي'" in f.message


def test_check_command_exit_codes(lex_path, tmp_path):
    r = runner.invoke(app, ["lexicon", "check", str(lex_path)])
    assert r.exit_code == 0, r.output
    assert "ok" in r.output and "3 warning(s)" in r.output
    assert "never counts" in r.output and f"{lex_path}:13" in r.output
    bad = _write(tmp_path / "bad.yaml", LEXICON.replace("{term: هجوم}", "{term: هجوم, weight: -1}"))
    r = runner.invoke(app, ["lexicon", "check", str(bad)])
    assert r.exit_code == 1 and f"{bad}:6" in r.output


def test_bundled_lexicon_lints_without_errors():
    assert not [f for f in workbench.lint_lexicon() if f.severity == "error"]


# --- stats ---------------------------------------------------------------------

def test_stats_counts_and_gold_precision(lex_path, corpus, tmp_path):
    gold = _gold(tmp_path, [
        {"doc_id": "g1", "text": "وقع هجوم في المدينة", "frames": ["threat"]},
        {"doc_id": "g1", "text": "هجوم على الأسعار في السوق", "frames": []},
        {"doc_id": "g2", "text": "سقط ضحايا", "frames": ["civilian_harm"]},
    ])
    table = workbench.entry_stats(corpus, gold=gold, lexicon=lex_path)
    row = table.set_index(["frame", "term"])
    assert row.loc[("threat", "هجوم"), "fires"] == 3  # a.txt once, b.txt twice (والهجوم)
    assert row.loc[("threat", "هجوم"), "docs"] == 2
    assert row.loc[("threat", "تبناه*"), "fires"] == 1 and row.loc[("threat", "تبناها"), "fires"] == 0
    assert row.loc[("civilian_harm", "ابرياء"), "fires"] == 1  # «الأبرياء»
    assert row.loc[("diplomacy", "جنيف"), "fires"] == 0  # never fires: still listed
    assert pd.isna(row.loc[("threat", "هجوم"), "outlets"])  # plain text files name no outlet
    assert row.loc[("threat", "هجوم"), "gold_fires"] == 2
    assert row.loc[("threat", "هجوم"), "precision"] == 0.5
    assert row.loc[("civilian_harm", "ضحايا"), "precision"] == 1.0
    assert len(table) == len([e for e in load_lexicon(lex_path).entries if e.frame])


def test_stats_counts_outlets_and_cli_writes_csv(lex_path, tmp_path):
    df = pd.DataFrame({"text": ["وقع هجوم كبير", "هجوم آخر", "هجوم ثالث"], "source": ["a", "b", "b"]})
    table = workbench.entry_stats(df, lexicon=lex_path)
    assert table.set_index("term").loc["هجوم", "outlets"] == 2
    # two articles sharing an id (corpora have such) must not break the outlet lookup
    res = framing.analyze(df.assign(id=["x", "x", "y"]), lexicon=lex_path, model=False, id_column="id")
    assert workbench.entry_stats(results=res, lexicon=lex_path).set_index("term").loc["هجوم", "fires"] == 3
    folder = tmp_path / "c"
    folder.mkdir()
    _write(folder / "x.txt", "وقع هجوم كبير.")
    out = tmp_path / "stats.csv"
    r = runner.invoke(app, ["lexicon", "stats", str(folder), "-l", str(lex_path), "-o", str(out)])
    assert r.exit_code == 0, r.output
    csv = pd.read_csv(out, encoding="utf-8-sig")
    assert csv.set_index("term").loc["هجوم", "fires"] == 1 and "never fires" in r.output


# --- suggest -------------------------------------------------------------------

def _synthetic(tmp_path):
    frame = ["انفجرت متفجرات في السوق", "عثر على متفجرات قرب المدرسة", "هجوم بالسيارة ثم متفجرات في الشارع",
             "ضبط متفجرات في المدينة", "متفجرات جديدة في الحي"]
    rest = ["عقد اجتماع في المدينة", "زار الوزير السوق", "افتتحت المدرسة في الحي", "ارتفعت الأسعار في السوق",
            "تحدث الوزير عن الاقتصاد في المدينة", "نظم مهرجان في الشارع"]
    gold = _gold(tmp_path, [{"doc_id": f"d{i}", "text": t, "frames": ["threat"]} for i, t in enumerate(frame)]
                 + [{"doc_id": f"r{i}", "text": t, "frames": []} for i, t in enumerate(rest)])
    return frame, rest, gold


def test_fightin_words_prefers_frame_specific_words():
    from collections import Counter
    fc = Counter({"a": 10, "the": 50})
    rc = Counter({"the": 50, "b": 10})
    t = workbench.fightin_words(fc, rc, fc + rc, prior=0.1).set_index("candidate")
    assert t.loc["a", "z"] > 2 > abs(t.loc["the", "z"]) and t.loc["b", "z"] < -2


def test_suggest_ranks_frame_specific_word_first_with_gold(tmp_path, lex_path):
    frame, rest, gold = _synthetic(tmp_path)
    corpus = pd.DataFrame({"text": frame + rest})
    table = workbench.suggest_terms("threat", corpus, gold=gold, lexicon=lex_path, top=5, min_count=2, model=False)
    top = table.iloc[0]
    assert top["candidate"] == "متفجرات" and top["frame_count"] == 5 and top["rest_count"] == 0
    assert top["in_lexicon"] == "" and "[متفجرات]" in top["example_1"] and top["example_2"]
    assert "هجوم" not in set(table["candidate"])  # seen once: below --min-count


def test_suggest_from_model_labels_and_cli(tmp_path, lex_path):
    docs = [f"هجوم بالمتفجرات رقم {i} على السوق" for i in range(4)] + [f"اجتماع رقم {i} في المدينة" for i in range(4)]
    folder = tmp_path / "c"
    folder.mkdir()
    for i, t in enumerate(docs):
        _write(folder / f"{i}.txt", t + ".")
    table = workbench.suggest_terms("threat", folder, lexicon=lex_path, top=12, min_count=2, model=False)
    assert (table["rest_count"] == 0).all() and (table["frame_count"] == 4).all()  # رقم, in both, is not there
    assert table.set_index("candidate").loc["هجوم", "in_lexicon"] == "threat:هجوم"  # already in the lexicon
    out = tmp_path / "s.csv"
    r = runner.invoke(app, ["lexicon", "suggest", "--frame", "threat", str(folder), "-l", str(lex_path),
                            "--min-count", "2", "--top", "3", "--lexicon-only", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert len(pd.read_csv(out, encoding="utf-8-sig")) == 3
    r = runner.invoke(app, ["lexicon", "suggest", "--frame", "threats", str(folder)])
    assert r.exit_code == 2 and "unknown frame" in r.output


# --- kwic ----------------------------------------------------------------------

def test_kwic_finds_proclitic_forms_with_offsets(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    text = "اجتمع وزراء التحالف في باريس.\nوقال إن للتحالف دورا، وإن والتحالف قوي، والتحالفات كثيرة."
    _write(folder / "d.txt", text)
    lines = workbench.concordance("تحالف", folder, width=10)
    assert list(lines["match"]) == ["التحالف", "للتحالف", "والتحالف"]
    assert all(text[r.start:r.end] == r.match for r in lines.itertuples())
    assert lines.iloc[0]["left"] == "وزراء" and lines.iloc[0]["right"] == "في باريس."  # cut at word boundaries
    assert list(lines["sentence"]) == [0, 1, 1]
    assert len(workbench.concordance("تحالف*", folder)) == 4
    assert list(workbench.concordance("وزراء ~ باريس", folder)["match"]) == ["وزراء التحالف في باريس"]
    out = tmp_path / "k.csv"
    r = runner.invoke(app, ["kwic", "تحالف", str(folder), "-o", str(out)])
    assert r.exit_code == 0, r.output
    csv = pd.read_csv(out, encoding="utf-8-sig")
    assert list(csv.columns) == workbench.KWIC_COLUMNS and len(csv) == 3
    assert "للتحالف" in r.output
    assert runner.invoke(app, ["kwic", "تحا*لف", str(folder)]).exit_code == 2


# --- import / export ---------------------------------------------------------------

DIC = "%\n1\tdanger\n2\tvictims\n3\tnegation\n%\nخطر*\t1\nتهديد\t1\nضحايا\t2 1\nعبوه ناسفه\t1\nلم\t3\n"


def test_dic_import_export_round_trip(tmp_path):
    src = _write(tmp_path / "src.dic", DIC)
    out = tmp_path / "imported.yaml"
    lex, notes = workbench.import_dictionary(src, out, {"danger": "threat", "victims": "civilian_harm",
                                                        "negation": "cues.negators"})
    assert {(e.frame or e.cue, e.norm) for e in lex.entries} == {
        ("threat", "خطر*"), ("threat", "تهديد"), ("threat", "ضحايا"), ("threat", "عبوه ناسفه"),
        ("civilian_harm", "ضحايا"), ("negators", "لم")}
    back = tmp_path / "back.dic"
    workbench.export_dictionary(out, back, cues=True)
    d = workbench.read_dictionary(back)
    assert {c: sorted(t for t, _ in ts) for c, ts in d.categories.items()} == {
        "threat": sorted(["خطر*", "تهديد", "ضحايا", "عبوه ناسفه"]), "civilian_harm": ["ضحايا"],
        "cues.negators": ["لم"]}
    again = tmp_path / "again.yaml"
    lex2, _ = workbench.import_dictionary(back, again)  # frame-named categories need no map
    assert {(e.frame or e.cue, e.norm) for e in lex2.entries} == {(e.frame or e.cue, e.norm) for e in lex.entries}


def test_quanteda_yaml_round_trip_with_nested_keys(tmp_path, lex_path):
    src = _write(tmp_path / "dict.yml", "danger:\n  - خطر*\n  - تهديد\nharm:\n  civil:\n    - ضحايا\n    - مدني*\n")
    out = tmp_path / "lex.yaml"
    r = runner.invoke(app, ["lexicon", "import", str(src), "-o", str(out),
                            "--frame-map", "danger=threat", "--frame-map", "harm.civil=civilian_harm"])
    assert r.exit_code == 0, r.output
    lex = load_lexicon(out)
    assert [e.term for e in lex.frame_entries("civilian_harm")] == ["ضحايا", "مدني*"]
    back = tmp_path / "back.yml"
    r = runner.invoke(app, ["lexicon", "export", str(out), "-o", str(back)])
    assert r.exit_code == 0, r.output
    assert yaml.safe_load(back.read_text(encoding="utf-8")) == {"threat": ["خطر*", "تهديد"],
                                                                 "civilian_harm": ["ضحايا", "مدني*"]}
    # our lexicon -> quanteda -> our lexicon keeps every gap-free term in its frame
    q = tmp_path / "tiny.yml"
    workbench.export_dictionary(lex_path, q)
    lex3, _ = workbench.import_dictionary(q, tmp_path / "tiny2.yaml")
    assert {(e.frame, e.norm) for e in lex3.entries} == {(e.frame, e.norm) for e in load_lexicon(lex_path).entries
                                                           if e.frame}


def test_import_fails_clearly_on_unmapped_categories(tmp_path):
    src = _write(tmp_path / "src.dic", DIC)
    r = runner.invoke(app, ["lexicon", "import", str(src), "-o", str(tmp_path / "x.yaml"), "-m", "danger=threat"])
    assert r.exit_code == 2
    assert "victims" in r.output and "negation" in r.output and "--frame-map" in r.output
    assert not (tmp_path / "x.yaml").exists()
    with pytest.raises(workbench.WorkbenchError, match="targets must be frames"):
        workbench.import_dictionary(src, tmp_path / "x.yaml", {"danger": "threats"})
    with pytest.raises(workbench.WorkbenchError, match=r"src.dic:6: unknown category id '9'"):
        workbench.read_dictionary(_write(tmp_path / "src.dic", DIC.replace("خطر*\t1", "خطر*\t9")))


def test_export_leaves_out_gaps_and_says_so(tmp_path):
    lex = _write(tmp_path / "g.yaml", "name: g\nversion: 1\nframes:\n  coalition_failure:\n    entries:\n"
                 "      - {term: لم يسفر* ~ عن}\n      - {term: فشل*, weight: 0.5}\n")
    notes = workbench.export_dictionary(lex, tmp_path / "g.dic")
    assert any("'~'" in n and "g.yaml:6" in n for n in notes) and any("weights" in n for n in notes)
    assert (tmp_path / "g.dic").read_text(encoding="utf-8") == "%\n1\tcoalition_failure\n%\nفشل*\t1\n"
