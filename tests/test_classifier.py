"""The classifier module: estimator conventions, persistence, refusal of tampered or foreign models."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import GroupKFold, cross_validate
from typer.testing import CliRunner

import framing
from framing.classify import FrameClassifier, VoiceClassifier, lexicon_table
from framing.features import features_of, neighbour_features, with_neighbours
from framing.cli import app
from framing.gold import agreement, krippendorff_alpha_nominal, load_gold
from framing.lexicon import FRAMES
from framing.model import Model, ModelError, load_model, save_model

GOLD = Path(__file__).resolve().parent.parent / "data" / "gold" / "gold.jsonl"
runner = CliRunner()


@pytest.fixture(scope="module")
def small_gold(tmp_path_factory):
    """The first ~40 articles of the gold set: enough positives of every frame, fast to train."""
    gold = load_gold([GOLD])
    keep = list(dict.fromkeys(gold["group"]))[:40]
    path = tmp_path_factory.mktemp("gold") / "small.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for rec in gold[gold["group"].isin(keep)].to_dict("records"):
            fh.write(json.dumps({k: rec[k] for k in ("sid", "doc_id", "text", "frames", "voice")}, ensure_ascii=False) + "\n")
    return path


@pytest.fixture(scope="module")
def trained(small_gold, tmp_path_factory):
    out = tmp_path_factory.mktemp("model")
    r = runner.invoke(app, ["train", str(small_gold), "-o", str(out)])
    assert r.exit_code == 0, r.output
    return out


def test_gold_set_size_and_provenance():
    gold = load_gold([GOLD])
    assert len(gold) >= 1500
    assert {"corpus", "doc_id", "start", "end", "outlet", "coders"} <= set(gold.columns)
    assert (gold[list(FRAMES)].sum() >= 100).all()


def test_alpha_matches_known_values():
    assert krippendorff_alpha_nominal([(1, 1), (0, 0), (1, 1), (0, 0)]) == 1.0
    # Krippendorff (2011) style check: one disagreement in 4 binary units, 2 coders
    assert round(krippendorff_alpha_nominal([(1, 1), (1, 0), (0, 0), (0, 0)]), 4) == 0.5333
    table = agreement({"a": {"frames": ["threat"], "voice": "official"}, "b": {"frames": [], "voice": "authorial"}},
                      {"a": {"frames": ["threat"], "voice": "official"}, "b": {"frames": ["threat"], "voice": "authorial"}})
    assert table.set_index("label").loc["voice", "agreement"] == 1.0
    assert table.set_index("label").loc["threat", "agreement"] == 0.5


def test_estimators_follow_sklearn_conventions(small_gold):
    gold = load_gold([small_gold])
    X = lexicon_table(list(gold["text"]), list(gold["group"]))
    y = gold[list(FRAMES)].to_numpy()
    clf = FrameClassifier(C=2.0)
    assert clone(clf).get_params()["C"] == 2.0
    res = cross_validate(clf, X, y, groups=gold["group"], cv=GroupKFold(3), scoring="f1_macro")
    assert np.all(res["test_score"] > 0.2)
    voice = VoiceClassifier().fit(X, gold["voice"])
    proba = voice.predict_proba(X.head(5))
    assert proba.shape == (5, 3) and np.allclose(proba.sum(axis=1), 1)


def test_fast_feature_path_equals_scikit_learns(small_gold):
    """Features analysed once and counted directly give scikit-learn's own TF-IDF matrix, bit for bit (a
    saved model predicts without scikit-learn, and must predict what it was fitted to)."""
    gold = load_gold([small_gold])
    X = lexicon_table(list(gold["text"]), list(gold["group"]))
    feats = FrameClassifier().fit(X, gold[list(FRAMES)].to_numpy()).features_
    texts = list(X["text"][:200])
    # an empty text and one holding the separator (read word by word), and texts read with arrays
    for batch in (texts + ["", "داعش\x00 يهاجم", "كلمة"], texts[:150] + ["", "كلمة 3.5 جديدة"], texts[100:]):
        ours = feats.arrays().tfidf(batch)
        theirs = feats.tfidf_.transform(batch)
        assert ours.shape == theirs.shape and ours.nnz == theirs.nnz and ours.dtype == theirs.dtype
        assert np.array_equal(ours.toarray(), theirs.toarray())
    pre = features_of(X.head(200))
    assert np.allclose(feats.transform(pre).toarray(), feats.transform(X.head(200)).toarray())


def test_unit_rows_are_scikit_learns_bit_for_bit():
    """The articles' TF-IDF rows are scaled as scikit-learn's ``normalize`` scales them, empty rows left."""
    from scipy import sparse
    from sklearn.preprocessing import normalize

    from framing.features import l2_rows

    rng = np.random.default_rng(1)
    for dtype in (np.float32, np.float64):
        X = sparse.random(300, 500, density=0.05, format="csr", dtype=dtype, random_state=rng)
        X.data *= rng.uniform(0.1, 30, X.nnz).astype(dtype)
        X = sparse.diags((np.arange(300) % 17 != 0).astype(dtype)) @ X  # rows 0, 17, ... empty
        X.eliminate_zeros()
        theirs = normalize(X)
        ours = l2_rows(X.copy())
        assert ours.dtype == dtype and np.array_equal(ours.toarray(), theirs.toarray())
        assert not ours[[0, 17]].nnz and ours[[1, 18]].nnz


def test_light_stems_found_with_arrays_are_the_regular_expressions():
    """The stems the batch path finds as spans of each word are the analyzer's (``_PREFIX`` then
    ``_SUFFIX``): every proclitic and suffix around short, long, numeric and odd middles."""
    from framing.classify import _PREFIX, _SUFFIX
    from framing.features import stem_spans
    from framing.text import code_points

    middles = ["", "ا", "اب", "ابت", "كتاب", "مستشفى", "3", "3.5", "ب_ت", "ا1", "_ab", "ab", "ووو", "الل", "ه", "هي", "ال"]
    words = sorted({p + m + s for p in ("", "وال", "فال", "بال", "كال", "لل", "ال", "و", "ف", "ب", "ك")
                    for m in middles for s in ("", "ات", "ون", "ين", "ها", "هم", "هن", "كم", "نا", "ه", "ي", "اته", "هي")} - {""})
    text = "\x00".join(words)
    lens = np.array([len(w) for w in words])
    ends = np.cumsum(lens + 1) - 1
    starts, stops = stem_spans(code_points(text), ends - lens, ends)
    ours = [text[a:b] for a, b in zip(starts.tolist(), stops.tolist())]
    assert ours == [_SUFFIX.sub("", _PREFIX.sub("", w)) for w in words]


def test_hash_index_finds_every_pair_and_only_those():
    """Pairs that share a first hash (and so a run of slots) and pairs absent from the table."""
    from framing.features import _HashIndex

    rng = np.random.default_rng(0)
    h1 = np.concatenate([rng.integers(0, 2**63, 500, dtype=np.uint64), np.full(40, 7, dtype=np.uint64)])
    h2 = rng.integers(0, 2**31, len(h1)).astype(np.uint64)
    index = _HashIndex(h1, h2, np.arange(len(h1)))
    assert index.get(h1, h2).tolist() == list(range(len(h1)))
    absent = index.get(np.concatenate([h1[-10:], rng.integers(0, 2**63, 50, dtype=np.uint64)]),
                       np.concatenate([h2[-10:] + np.uint64(1), h2[:50]]), -1)
    assert (absent == -1).all()


def test_prediction_by_blocks_equals_scikit_learns(small_gold):
    """Predicting from the sentence and article blocks gives what scikit-learn's predict_proba gives on the
    full matrix (an article's words repeated on each of its sentences)."""
    gold = load_gold([small_gold])
    X = features_of(lexicon_table(list(gold["text"]), list(gold["group"])))
    frames = FrameClassifier().fit(X, gold[list(FRAMES)].to_numpy())
    Z = frames.features_.transform(X)
    assert Z.shape[1] > len(frames.features_.tfidf_.vocabulary_) * 2  # the article's words are in it
    theirs = np.column_stack([m.predict_proba(Z)[:, 1] for m in frames.models_])
    assert np.allclose(frames.predict_proba(X), theirs)
    voice = VoiceClassifier().fit(X, gold["voice"])
    first = voice.model_.predict_proba(voice.features_.transform(X))  # the first layer, then the second on it
    assert np.allclose(voice.predict_proba(X), voice.stack_.predict_proba(with_neighbours(voice.features_.parts(X), X, first, True).full()))


def test_voice_context_stays_inside_each_article():
    """The second voice layer sees the neighbours' voice within the article only, and the previous
    sentence's again where the lexicon says a sentence continues a speaker (codebook P5)."""
    P = np.array([[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0], [0.5, 0.5, 0]])
    X = pd.DataFrame({"doc_id": ["a", "a", "a", "b"], "voice_continues": [False, True, False, True]})
    nb = neighbour_features(P, X, use_lexicon=True)
    prev, nxt, mean, mx, cont = np.split(nb, 5, axis=1)
    assert prev[1].tolist() == [1, 0, 0] and prev[3].tolist() == [0, 0, 0]  # b's first sentence has no previous
    assert nxt[2].tolist() == [0, 0, 0] and nxt[0].tolist() == [0, 1, 0]
    assert np.allclose(mean[0], [1 / 3] * 3) and mean[3].tolist() == [0.5, 0.5, 0]
    assert cont[1].tolist() == [1, 0, 0] and not cont[[0, 2, 3]].any()
    assert neighbour_features(P, X, use_lexicon=False).shape[1] == 12


def test_saved_model_loads_and_predicts_same_probabilities(small_gold, trained):
    model = load_model(trained)
    meta = json.loads((trained / "model.json").read_text())
    assert meta["training_data_sha256"] and meta["lexicon"]["version"] and meta["oof_metrics"]["macro_f1"] > 0
    gold = load_gold([small_gold])
    X = lexicon_table(list(gold["text"][:30]), list(gold["group"][:30]))
    p1 = model.frames.predict_proba(X)
    again = save_model(Model(model.frames, model.voice, dict(model.meta)), trained.parent / "copy")
    p2 = load_model(again).frames.predict_proba(X)
    assert np.array_equal(p1, p2)


def test_a_model_folder_saved_without_its_arrays_predicts_the_same(small_gold, trained, tmp_path):
    """A folder saved before ``predict.npz`` existed loads its estimators and predicts what the arrays predict."""
    older = tmp_path / "older"
    shutil.copytree(trained, older)
    (older / "predict.npz").unlink()
    meta = json.loads((older / "model.json").read_text())
    del meta["files"]["predict.npz"]
    (older / "model.json").write_text(json.dumps(meta))
    gold = load_gold([small_gold])
    X = lexicon_table(list(gold["text"]), list(gold["group"]))
    ours, theirs = load_model(trained).predict(X), load_model(older).predict(X)
    assert all(np.array_equal(a, b) for a, b in zip(ours, theirs))
    shown = repr(load_model(older))  # what a notebook shows of a model: its training and thresholds
    assert f"sentences={meta['n_sentences']}" in shown and "'threat': " in shown and str(older) in shown


def test_analyze_predicts_without_scikit_learn():
    """The bundled model predicts from its arrays: analyzing an article imports neither scikit-learn nor skops
    (about 1.2 s of every run), and the classifier's scores are there."""
    code = ("import sys, framing; from framing.api import analyze; "
            f"r = analyze({str(Path(__file__).resolve().parent.parent / 'seeds')!r}); "
            "assert r.meta['classifier'] and r.sentences['score_threat'].notna().all(); "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'sklearn', 'skops'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_features_computed_once_give_each_classifiers_own_predictions(small_gold, trained):
    """A trained model's frame and voice classifiers share one computation of the features, and
    predict what each predicts from its own; a voice classifier fitted on other sentences does not share."""
    model = load_model(trained)
    gold = load_gold([small_gold])
    X = lexicon_table(list(gold["text"]), list(gold["group"]))
    assert model.shared_features
    proba, _, voice = model.predict(X)
    assert np.array_equal(proba, model.frames.predict_proba(X))
    assert np.array_equal(voice, model.voice.predict(X))
    other = VoiceClassifier(neighbours=False).fit(X.head(200), gold["voice"][:200])
    assert not Model(model.frames, other, dict(model.meta)).shared_features
    model.voice = other  # replaced after a prediction: checked again, and it predicts from its own features
    assert not model.shared_features
    assert np.array_equal(model.predict(X)[2], other.predict(X))


def test_sentences_are_read_with_their_article(small_gold, trained):
    """A sentence's probabilities depend on its article's words, as a coder reads it, and not on
    which other articles are predicted with it."""
    frames = load_model(trained).frames
    gold = load_gold([small_gold])
    X = lexicon_table(list(gold["text"]), list(gold["group"]))
    whole = frames.predict_proba(X)
    one_by_one = np.vstack([frames.predict_proba(X[X["doc_id"] == g]) for g in dict.fromkeys(X["doc_id"])])
    assert np.allclose(whole, one_by_one)
    alone = frames.predict_proba(X.drop(columns="doc_id"))  # no articles: each sentence read by itself
    assert not np.allclose(whole, alone)


def test_a_repeated_document_id_does_not_merge_articles(small_gold, trained):
    gold = load_gold([small_gold])
    a, b = [" ".join(gold.loc[gold["group"] == g, "text"]) for g in list(dict.fromkeys(gold["group"]))[:2]]
    both = framing.analyze(pd.DataFrame({"id": ["x", "x"], "text": [a, b]}), model=trained, id_column="id")
    alone = framing.analyze(pd.DataFrame({"id": ["x"], "text": [a]}), model=trained, id_column="id")
    cols = [f"score_{f}" for f in FRAMES] + ["voice"]
    assert both.sentences[cols].head(len(alone.sentences)).equals(alone.sentences[cols])


def test_analyze_uses_model_and_keeps_lexicon_evidence(trained):
    res = framing.analyze(Path(__file__).resolve().parent.parent / "seeds", model=trained)
    assert res.meta["model"] == "lexicon+classifier"
    s = res.sentences
    assert {"lexicon_threat", "lexicon_voice"} <= set(s.columns)
    assert (s["hits"].str.len() > 0).sum() > 10
    lex_only = framing.analyze(Path(__file__).resolve().parent.parent / "seeds", model=False)
    assert lex_only.meta["model"] == "lexicon"


def test_the_classifier_reads_the_words_the_lexicon_pass_found(small_gold, trained, monkeypatch):
    """A batch is tokenized once: the classifier gets each sentence's words from the lexicon's pass, and
    predicts what it predicts when it tokenizes the sentences itself."""
    from framing.api import score_batch, scorer
    from framing.corpus import Document, parse_article
    from framing.text import TextBatch

    gold = load_gold([small_gold])
    docs = [Document(str(g), " ".join(gold.loc[gold["group"] == g, "text"])) for g in list(dict.fromkeys(gold["group"]))[:5]]
    seeds = Path(__file__).resolve().parent.parent / "seeds"
    docs += [parse_article(p.read_text(encoding="utf-8"), p.stem) for p in sorted(seeds.glob("*.txt"))]
    model, sc = load_model(trained), scorer()
    given = []
    predict = Model.predict
    monkeypatch.setattr(Model, "predict", lambda self, table, tokens=None: given.append(tokens) or predict(self, table, tokens))
    shared = score_batch(docs, sc, model)
    monkeypatch.setattr(TextBatch, "sentence_tokens", lambda self: None)
    own = score_batch(docs, sc, model)
    assert given[0] is not None and given[1] is None
    assert shared.sentences == own.sentences and shared.articles == own.articles
    assert shared.sentences["score_threat"] != shared.sentences["lexicon_threat"]


def test_tampered_model_is_refused(trained, tmp_path):
    bad = tmp_path / "tampered"
    shutil.copytree(trained, bad)
    data = bytearray((bad / "frames.skops").read_bytes())
    data[-100] ^= 0xFF
    (bad / "frames.skops").write_bytes(bytes(data))
    with pytest.raises(ModelError, match="checksum"):
        load_model(bad)


class Foreign:
    """Stands for code a model file might try to smuggle in."""

    def __init__(self):
        self.command = "echo owned"


def test_foreign_model_is_refused(trained, tmp_path):
    import skops.io as sio

    foreign = tmp_path / "foreign"
    shutil.copytree(trained, foreign)
    sio.dump({"payload": Foreign()}, foreign / "frames.skops")  # a type framing does not trust
    meta = json.loads((foreign / "model.json").read_text())
    import hashlib
    meta["files"]["frames.skops"] = hashlib.sha256((foreign / "frames.skops").read_bytes()).hexdigest()
    (foreign / "model.json").write_text(json.dumps(meta))
    model = load_model(foreign)  # predicting reads predict.npz; the skops files are read when asked for
    with pytest.raises(ModelError, match="trust"):
        model.frames
    del meta["files"]["predict.npz"]  # a folder saved before predict.npz: the estimators are loaded at once
    (foreign / "model.json").write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="trust"):
        load_model(foreign)
    (foreign / "model.json").write_text("{}")
    with pytest.raises(ModelError, match="format"):
        load_model(foreign)


def test_evaluate_reports_all_modes(small_gold, tmp_path):
    r = runner.invoke(app, ["evaluate", str(small_gold), "-o", str(tmp_path), "--folds", "3"])
    assert r.exit_code == 0, r.output
    summary = pd.read_csv(tmp_path / "summary.csv")
    assert list(summary["mode"]) == ["lexicon", "classifier", "combined"]
    assert summary["macro_f1"].between(0, 1).all() and summary["voice_accuracy"].between(0, 1).all()
    confusion = pd.read_csv(tmp_path / "confusion.csv", index_col=0)
    assert list(confusion.index) == list(FRAMES)
    # the evaluation travels with a model trained on the same gold, into results and reports
    out = tmp_path / "model"
    r = runner.invoke(app, ["train", str(small_gold), "-o", str(out), "--evaluation", str(tmp_path / "evaluation.json")])
    assert r.exit_code == 0, r.output
    block = json.loads((out / "model.json").read_text())["evaluation"]
    assert block["macro_f1"] == pytest.approx(summary.set_index("mode").loc["combined", "macro_f1"])
    res = framing.analyze(Path(__file__).resolve().parent.parent / "seeds", model=out)
    from framing.report.build import evaluation_data
    table = evaluation_data(res.meta)
    assert len(table["rows"]) == len(FRAMES) and any("macro" in n[0] for n in table["notes"])
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    r = runner.invoke(app, ["train", str(small_gold), "-o", str(tmp_path / "m2"), "--evaluation", str(bad)])
    assert r.exit_code == 2 and "not an evaluation.json written by framing evaluate" in " ".join(r.output.split())


def test_label_mode_trains_on_other_labels(tmp_path):
    rows = [{"text": t, "label": l} for t, l in [("هذا خبر عادي عن الطقس", "false"), ("العدو الغاشم يدمر كل شيء", "true")] * 15]
    src = tmp_path / "train.jsonl"
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    assert runner.invoke(app, ["train", str(src), "--label-field", "label", "-o", str(tmp_path / "m")]).exit_code == 0
    r = runner.invoke(app, ["evaluate", str(src), "--model", str(tmp_path / "m"), "--label-field", "label",
                            "-o", str(tmp_path / "e")])
    assert r.exit_code == 0, r.output
    assert json.loads((tmp_path / "e" / "label_evaluation.json").read_text())["micro_f1"] == 1.0
    # a folder stands for its JSONL files, as the help says
    r = runner.invoke(app, ["train", str(tmp_path), "--label-field", "label", "-o", str(tmp_path / "m2")])
    assert r.exit_code == 0, r.output


def test_annotate_round_trip(tmp_path):
    res = framing.analyze(Path(__file__).resolve().parent.parent / "seeds", model=False)
    res.save(tmp_path / "res")
    sheet = tmp_path / "sheet.csv"
    assert runner.invoke(app, ["annotate", "export", str(tmp_path / "res"), "-o", str(sheet), "--n", "5"]).exit_code == 0
    df = pd.read_csv(sheet, encoding="utf-8-sig", keep_default_na=False)
    assert len(df) == 5 and (df["frames"] == "").all()
    df.loc[0, ["frames", "voice"]] = ["threat;diplomacy", "official"]
    df.to_csv(sheet, index=False, encoding="utf-8-sig")
    out = tmp_path / "gold.jsonl"
    assert runner.invoke(app, ["annotate", "import", str(sheet), "-o", str(out)]).exit_code == 0
    recs = [json.loads(l) for l in out.read_text(encoding="utf-8").splitlines()]
    assert len(recs) == 1 and recs[0]["frames"] == ["threat", "diplomacy"]
    df.loc[1, ["frames", "voice"]] = ["threats", "official"]
    df.to_csv(sheet, index=False, encoding="utf-8-sig")
    r = runner.invoke(app, ["annotate", "import", str(sheet), "-o", str(out)])
    assert r.exit_code == 2 and "row 3" in r.output and "threats" in r.output


def test_loading_a_model_leaves_torch_dask_and_pytest_importable():
    """Loading hides torch, dask and pytest from skops's import (they would take seconds, for nothing the
    model holds); afterwards each imports as usual."""
    pytest.importorskip("torch")
    pytest.importorskip("dask.array")
    code = ("import sys, framing.model as m; m.default_model().frames; "
            "assert not {'torch', 'dask', 'pytest'} & set(sys.modules); "
            "import torch, dask.array, pytest; print(torch.tensor([1]).sum().item(), dask.array.ones(3).sum().compute())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "1 3.0"
