"""Corpus scale: every format and encoding, bad items mixed in, parallel, dask, resume, duplicates."""
import gzip
import io
import json
import os
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import framing
from framing.cli import app
from framing.pipeline import RunError, read_table, run_corpus
from framing.readers import read_inputs
from framing.corpus import Document, Skipped

runner = CliRunner()

S1 = "قال المتحدث باسم التحالف الدولي إن الغارات دمرت مواقع لتنظيم داعش قرب الموصل."
S2 = "وأكد الوزير أن المفاوضات مع الحكومة العراقية مستمرة. ولم يحقق التحالف تقدما ملحوظا في الحرب."
S3 = "قتل عشرة مدنيين في قصف استهدف سوقا شعبيا، وأدانت منظمات حقوقية الهجوم."
WIRE = ("أعلنت وزارة الدفاع اليوم أن قوات التحالف الدولي نفذت سلسلة من الغارات الجوية على مواقع تنظيم داعش "
        "في شمال العراق، مما أدى إلى تدمير عدد من المخازن والآليات، وقالت الوزارة في بيان إن العمليات مستمرة "
        "حتى تحرير كامل الأراضي، وإن التنسيق مع الحكومة العراقية على أعلى مستوى.")


def body(i: int) -> str:
    return f"{[S1, S2, S3][i % 3]} هذا الخبر رقم {i} من المراسل في بغداد."


def build_corpus(root):
    """Files of every format and encoding; returns (good ids, {(file name, location start): reason part})."""
    good, bad = [], {}
    root.mkdir()
    # .txt: seed layout (UTF-8), plain with BOM, Windows-1256, UTF-16 with BOM
    (root / "seed.txt").write_text("عنوان الخبر الأول\nالأربعاء 20 يوليو 2016 03:41 م\nطباعة\n" + body(0), encoding="utf-8")
    (root / "bom.txt").write_bytes("\ufeff".encode() + body(1).encode())
    (root / "win.txt").write_bytes(body(2).encode("cp1256"))
    (root / "wide.txt").write_bytes(body(3).encode("utf-16"))
    (root / "wide-le.txt").write_bytes(body(19).encode("utf-16-le"))  # UTF-16 without a byte-order mark
    (root / "wide-be.jsonl").write_bytes(json.dumps({"id": "J-16", "text": body(20)}, ensure_ascii=False).encode("utf-16-be"))
    good += ["seed", "bom", "win", "wide", "wide-le", "J-16"]
    # bad .txt
    (root / "empty.txt").write_bytes(b"")
    (root / "binary.txt").write_bytes(b"\x00\x01\x02\x03binary\x00")
    (root / "latin.txt").write_bytes("café au lait".encode("latin-1"))
    bad.update({("empty.txt", "file"): "empty", ("binary.txt", "file"): "binary", ("latin.txt", "file"): "UTF-8"})
    (root / "README.md").write_text("not an input", encoding="utf-8")  # ignored, listed in summary.json
    # TREC in .txt (as ANT) and .xml (one record unclosed, one without text)
    trec = "".join(f"<DOC>\n<DOCNO>T-{i}</DOCNO>\n<SRC>Jawhara FM</SRC>\n<TITLE>عنوان {i}</TITLE>\n"
                   f"<TIME>2017-01-2{i}T20:46:00+01:00</TIME>\n<TEXT>\n{body(i)}\n</TEXT>\n</DOC>\n" for i in (1, 2))
    (root / "ant.txt").write_text(trec, encoding="utf-8")
    good += ["T-1", "T-2"]
    xml = ("<DOCS>\n<DOC><DOCNO>X-1</DOCNO><HEADLINE>عنوان &amp; خبر</HEADLINE><DATE>12/03/2018</DATE>"
           f"<TEXT>{body(4)}</TEXT></DOC>\n<DOC><DOCNO>X-2</DOCNO><TITLE>بلا نص</TITLE></DOC>\n"
           f"<DOC><DOCNO>X-3</DOCNO><TEXT>{body(5)}\n</DOCS>\n")
    (root / "clef.xml").write_text(xml, encoding="utf-8")
    good += ["X-1"]
    bad.update({("clef.xml", "record 2"): "no text field", ("clef.xml", "record 3"): "not closed"})
    # JSON array (SaudiNewsNet-like), one record without text, one not an object; one object file
    arr = [{"source": "aawsat", "url": f"http://a/{i}", "date_extracted": "2015-07-21 02:51:32", "title": f"ع {i}",
            "author": "", "content": body(i)} for i in range(3)]
    arr.insert(1, {"source": "okaz", "url": "http://a/notext", "title": "بلا محتوى"})
    arr.append(["not", "an", "object"])
    (root / "snn.json").write_text(json.dumps(arr, ensure_ascii=False, indent=1), encoding="utf-8")
    good += ["http://a/0", "http://a/1", "http://a/2"]
    bad.update({("snn.json", "record 2"): "no text field", ("snn.json", "record 5"): "expected an object"})
    (root / "one.json").write_text(json.dumps({"ID": "E-1", "content_original": body(6), "source": "الشرق الأوسط",
                                               "date": "Mon, 24 Sep 2018 14:26:52 GMT"}, ensure_ascii=False),
                                   encoding="utf-8")
    good += ["E-1"]
    (root / "broken.json").write_text('[{"id": "B-1", "text": "' + body(7) + '"}, {"id": "B-2", "text": ',
                                      encoding="utf-8")
    good += ["B-1"]
    bad[("broken.json", "record 2")] = "not valid JSON"
    # \u escapes in a JSON array: half an emoji's pair (bad), and a whole pair next to a letter (good)
    (root / "escapes.json").write_bytes(b'[{"id": "S-1", "text": "' + body(21).encode() + b' \\ud83d"},\n'
                                        b' {"id": "S-2", "text": "' + body(22).encode() + b' \\u0627 \\ud83d\\ude00"}]')
    good += ["S-2"]
    bad[("escapes.json", "record 1")] = "lone UTF-16 surrogate"
    # JSON Lines: good, malformed, undecodable bytes, absurdly long line, blank
    lines = [json.dumps({"id": "L-1", "text": body(8), "outlet": "Al-Sharq Al-Awsat"}, ensure_ascii=False).encode(),
             b'{"id": "L-2", "text": ',
             b'{"id": "L-3", "text": "\xff\xfe bad bytes"}',
             json.dumps({"id": "L-4", "text": "كلمة " * 30000}, ensure_ascii=False).encode(),
             b"",
             json.dumps({"id": "L-5", "body": body(9), "published": "2016-07-20"}, ensure_ascii=False).encode(),
             b'{"id": "L-6", "text": "' + body(16).encode() + b' \\ud83d"}',  # half an emoji's \u escape pair
             json.dumps({"id": "L-1", "text": body(17)}, ensure_ascii=False).encode(),  # an id seen before
             json.dumps({"id": "L-7", "text": {"p": body(18)}}, ensure_ascii=False).encode()]
    (root / "feed.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    good += ["L-1", "L-5", "L-1#2"]
    bad.update({("feed.jsonl", "line 2"): "not valid JSON", ("feed.jsonl", "line 3"): "undecodable",
                ("feed.jsonl", "line 4"): "characters (limit", ("feed.jsonl", "line 7"): "lone UTF-16 surrogate",
                ("feed.jsonl", "line 9"): "the text field holds an object"})
    # CSV (with a quoted multi-line field and a short row) and TSV
    buf = io.StringIO()
    buf.write("id,title,date,source,text\n")
    buf.write(f'C-1,عنوان,2016-07-20,okaz,"{body(10)}\n{body(11)}"\n')
    buf.write("C-2,قصير\n")
    buf.write(f"C-3,,,,{body(12)}\n")
    (root / "table.csv").write_text(buf.getvalue(), encoding="utf-8")
    good += ["C-1", "C-3"]
    bad[("table.csv", "line 4")] = "2 fields where the header has 5"
    (root / "table.tsv").write_text(f"id\ttext\nT-9\t{body(13)}\n", encoding="utf-8")
    good += ["T-9"]
    # archives: a zip of a JSON array and a JSON Lines file, a gzip of JSON Lines, a corrupt zip
    with zipfile.ZipFile(root / "day.zip", "w") as zf:
        zf.writestr("2015-07-22.json", json.dumps([{"url": "http://z/1", "content": body(14), "source": "okaz"}],
                                                  ensure_ascii=False))
        zf.writestr("more/feed.jsonl", json.dumps({"id": "Z-2", "text": body(15)}, ensure_ascii=False) + "\n{oops\n")
        zf.writestr("notes.docx", b"PK\x03\x04 not for us")
    good += ["http://z/1", "Z-2"]
    bad.update({("day.zip!more/feed.jsonl", "line 2"): "not valid JSON", ("day.zip!notes.docx", "file"): "not a format"})
    (root / "wire.jsonl.gz").write_bytes(gzip.compress(
        (json.dumps({"id": "W-1", "text": WIRE}, ensure_ascii=False) + "\n"
         + json.dumps({"id": "W-2", "text": "بغداد (رويترز) - " + WIRE}, ensure_ascii=False)
         + "\n").encode()))
    good += ["W-1", "W-2"]
    (root / "corrupt.zip").write_bytes(b"PK\x03\x04garbage")
    bad[("corrupt.zip", "file")] = "cannot read"
    return good, bad


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("c") / "corpus"
    good, bad = build_corpus(root)
    return root, good, bad


@pytest.fixture(scope="module")
def serial(corpus, tmp_path_factory):
    root, _, _ = corpus
    out = tmp_path_factory.mktemp("serial")
    run = run_corpus([root], out, model=False, jobs=1, shard_docs=4)
    return out, run


def tables(folder):
    return {t: read_table(folder, t) for t in ("sentences", "articles", "hits")}


def assert_same(a, b):
    ta, tb = tables(a), tables(b)
    for name in ta:
        pd.testing.assert_frame_equal(ta[name], tb[name], check_dtype=True)


def test_every_good_document_once_every_bad_item_reported(corpus, serial):
    root, good, bad = corpus
    out, run = serial
    arts = read_table(out, "articles")
    assert sorted(arts["doc_id"]) == sorted(good)
    skipped = pd.read_csv(out / "skipped.csv", encoding="utf-8-sig", keep_default_na=False)
    found = {}
    for r in skipped.itertuples():
        rel = r.path.split("/corpus/")[-1]
        found[(rel, r.location)] = r.reason
    for (name, loc), reason in bad.items():
        hits = [v for (p, l), v in found.items() if p == name and l.startswith(loc)]
        assert hits, f"{name} {loc} not in skipped.csv: {sorted(found)}"
        assert reason in hits[0], (name, loc, hits[0])
    assert len(skipped) == len(bad)
    c = run.counts
    assert c["documents"] == len(good) and c["skipped"] == len(bad)
    assert run.summary["ignored_files"][0].endswith("README.md")
    s = read_table(out, "sentences")
    per_doc = s.groupby("doc_id").size().sort_index()
    assert set(s["doc_id"]) == set(good) and per_doc.equals(arts.set_index("doc_id")["n_sentences"].sort_index())


def test_metadata_encoding_dates_outlets(serial):
    out, _ = serial
    a = read_table(out, "articles").set_index("doc_id")
    assert a.loc["win", "encoding"] == "cp1256" and a.loc["wide", "encoding"] == "utf-16"
    assert a.loc["wide-le", "encoding"] == "utf-16-le" and a.loc["J-16", "encoding"] == "utf-16-be"
    assert a.loc["bom", "encoding"] == "utf-8-sig" and a.loc["seed", "encoding"] == "utf-8"
    assert a.loc["seed", "date"] == "2016-07-20T15:41:00" and a.loc["seed", "title"] == "عنوان الخبر الأول"
    assert a.loc["http://a/0", "date"] == "2015-07-21T02:51:32"
    assert a.loc["E-1", "date"].startswith("2018-09-24T14:26:52") and a.loc["X-1", "date"] == "2018-03-12"
    assert a.loc["X-1", "title"] == "عنوان & خبر" and a.loc["T-1", "date"] == "2017-01-21T20:46:00"
    for i in ("http://a/0", "E-1", "L-1"):  # aawsat, الشرق الأوسط, Al-Sharq Al-Awsat
        assert a.loc[i, "source"] == "Asharq Al-Awsat"
    assert a.loc["C-1", "source"] == "Okaz" and a.loc["T-1", "source"] == "Jawhara FM"
    assert a.loc["L-5", "date"] == "2016-07-20"  # 'body' and 'published' by default


def test_near_duplicates_flagged_and_dropped(corpus, serial, tmp_path):
    root, good, _ = corpus
    out, run = serial
    a = read_table(out, "articles").set_index("doc_id")
    assert a.loc["W-2", "duplicate_of"] == "W-1" and pd.isna(a.loc["W-1", "duplicate_of"])
    assert a["duplicate_of"].notna().sum() == run.counts["duplicates"] >= 1
    drop = run_corpus([root], tmp_path / "d", model=False, jobs=1, shard_docs=4, drop_duplicates=True)
    t = tables(tmp_path / "d")
    dups = set(a.index[a["duplicate_of"].notna()])
    assert set(t["articles"]["doc_id"]) == set(good) - dups
    assert not set(t["sentences"]["doc_id"]) & dups and not set(t["hits"]["doc_id"]) & dups
    assert drop.counts["duplicates_dropped"] == len(dups)
    # the counts and the profile are those of the tables left
    from framing.aggregate import frame_profile

    c = drop.counts
    assert (c["documents"], c["sentences"], c["hits"]) == tuple(len(t[n]) for n in ("articles", "sentences", "hits"))
    assert drop.summary["voices"] == {k: int(v) for k, v in t["sentences"]["voice"].value_counts().items()}
    assert drop.summary["frames"] == {r["frame"]: {"sentences": int(r["sentences"]), "share": round(float(r["share"]), 4)}
                                      for r in frame_profile(t["sentences"]).to_dict("records")}
    assert drop.summary["frames"] != run.summary["frames"] or c["sentences"] < run.counts["sentences"]


def test_shingled_text_is_the_normalized_body_with_non_letters_squashed():
    """MinHash reads a body as its normalized letters and digits, each run of anything else one space."""
    import re

    import numpy as np

    from framing.dedup import squashed
    from framing.text import normalize_text

    for text in ["", " _ ", "«داعشُ» يتمدّد!!\n\n— و 3.5 ٪", "𝐀𝐁 😀 x_y", "…نص", "أ"]:
        want = re.sub(r"[\W_]+", " ", normalize_text(text)).strip()
        assert np.array_equal(squashed(text), np.frombuffer(want.encode("utf-32-le"), dtype=np.uint32)), text



def test_shingle_hashes_are_the_polynomial_of_each_window():
    """Each shingle's hash is the polynomial hash of its SHINGLE code points (Horner's rule, modulo 2**32),
    at every position, whatever the text's length (the fast form builds it from shorter windows)."""
    import numpy as np

    from framing.dedup import _SHINGLE_BASE, SHINGLE, _shingle_hashes

    rng = np.random.default_rng(7)
    for n in (SHINGLE, SHINGLE + 1, SHINGLE + 5, 1000):
        cps = rng.integers(0, 0x10FFFF, n).astype(np.uint32)
        want = []
        for i in range(n - SHINGLE + 1):
            h = 0
            for c in cps[i:i + SHINGLE]:
                h = (h * _SHINGLE_BASE + int(c)) % 2**32
            want.append(h)
        assert _shingle_hashes(cps).tolist() == want, n


def test_signatures_estimate_the_jaccard_similarity_of_the_shingles():
    """The share of equal signature values follows the Jaccard similarity of two bodies' shingle sets, for
    long bodies and for short ones whose bins are mostly filled by densification."""
    import numpy as np

    from framing import dedup

    rng = np.random.default_rng(3)
    vocab = ["".join(rng.choice(list("ابتثجحخدذرزسشصضطظعغفقكلمنهوي"), rng.integers(2, 8))) for _ in range(3000)]
    errors = []
    for n_words in (30, 60, 200, 1500):
        for changed in (0.0, 0.02, 0.1, 0.3, 0.6):
            a = list(rng.choice(vocab, n_words))
            b = [rng.choice(vocab) if rng.random() < changed else w for w in a]
            sa, sb = (dedup.squashed(" ".join(x)).tolist() for x in (a, b))
            shingles = [{tuple(s[i:i + dedup.SHINGLE]) for i in range(len(s) - dedup.SHINGLE + 1)} for s in (sa, sb)]
            exact = len(shingles[0] & shingles[1]) / len(shingles[0] | shingles[1])
            sig = dedup.signatures([" ".join(a), " ".join(b)])
            errors.append(abs((sig[0] == sig[1]).mean() - exact))
            assert errors[-1] < 0.2, (n_words, changed, exact)
            assert (sig != dedup.EMPTY).all()
    assert np.mean(errors) < 0.06


def test_a_signature_does_not_depend_on_the_batch():
    """Signatures are hashed a batch at a time: a body's signature is the same alone or among others (no
    shingle runs from one body into the next), and a body too short to compare has none."""
    import numpy as np

    from framing.dedup import EMPTY, MIN_CHARS, signatures

    long = "أعلن التحالف الدولي أن غاراته دمرت مواقع للتنظيم قرب الموصل، وقال المتحدث إن العمليات مستمرة " * 3
    bodies = [long, "قصير", long[::-1], "", long[:MIN_CHARS + 20], "x" * 200]
    batch = signatures(bodies)
    for i, body in enumerate(bodies):
        assert np.array_equal(batch[i], signatures([body])[0]), i
    assert (batch[1] == EMPTY).all() and (batch[3] == EMPTY).all() and not (batch[0] == EMPTY).any()
    assert (batch[0] == batch[2]).mean() < 0.5


def test_a_shard_signs_each_body_as_read():
    """A shard hashes its bodies from the normalization the scorer made of the whole text (titles left
    out, diacritics dropped): the same signatures as each body read alone."""
    import numpy as np

    from framing.api import scorer
    from framing.corpus import parse_article
    from framing.dedup import signatures
    from framing.pipeline import ScoreSpec, score_shard
    from framing.text import normalize_text

    text = ("عنوانٌ عن داعشَ\nالأربعاء 20 يوليو 2016 03:41 م\nطباعة\n"
            + "أعلنَ التحالفُ الدوليُّ أنّ غاراته دمّرت مواقع للتنظيم قرب الموصل. " * 4 + "\n\nوقال المتحدث إن العمليات مستمرة. " * 3)
    docs = [parse_article(text, "a"), Document("b", "نصٌّ بلا عنوان " * 20)]
    assert docs[0].body != docs[0].text and any(t for _, _, t in docs[0].regions)
    want = signatures([d.body for d in docs])
    assert np.array_equal(signatures([normalize_text(d.body) for d in docs], normalized=True), want)
    got = np.frombuffer(score_shard(0, docs, ScoreSpec(scorer(), None)).minhash, dtype=np.uint32)
    assert np.array_equal(got.reshape(want.shape), want)


def test_signatures_of_spans_are_those_of_the_texts_cut_out():
    """Bodies signed where they lie in a batch's code points (their parts joined by a newline) get the
    signatures of the same bodies cut out and joined: parts that meet mid-word, empty parts, bodies with no
    part, and a NUL inside the text."""
    import numpy as np

    from framing.dedup import signatures, span_signatures
    from framing.text import code_points, normalize_text, word_chars

    rng = np.random.default_rng(5)
    words = normalize_text("أعلن التحالف الدولي أن غاراته دمرت مواقع للتنظيم قرب الموصل، وقال: إن العمليات مستمرة 3.5").split()
    text = " ".join(rng.choice(words, 3000)) + "\0" + " ".join(rng.choice(words, 500))
    cps = code_points(text)
    bodies = []
    for _ in range(40):
        cuts = np.sort(rng.integers(0, len(text), 2 * rng.integers(0, 4)))
        bodies.append([(int(a), int(b)) for a, b in zip(cuts[::2], cuts[1::2])])
    bodies += [[], [(5, 5)], [(0, len(text))], [(10, 400), (400, 900)], [(len(text) - 300, len(text))]]
    want = signatures(["\n".join(text[a:b] for a, b in spans) for spans in bodies], normalized=True)
    assert np.array_equal(span_signatures(cps, word_chars(cps), bodies), want)
    assert (want != np.uint32(0xFFFFFFFF)).all(axis=1).sum() > 20  # most bodies are long enough to sign


def test_a_repeated_id_is_renamed_in_reading_order(serial):
    out, run = serial
    a = read_table(out, "articles").set_index("doc_id")
    assert run.counts["renamed_ids"] == 1 and a.loc["L-1#2", "n_sentences"] >= 1 and "L-1" in a.index
    from framing.corpus import Document, UniqueIds

    unique = UniqueIds()
    docs = [Document(id=i, text="نص") for i in ("x", "x", "x#2", "x", "y")]
    assert [unique(d).id for d in docs] == ["x", "x#2", "x#2#2", "x#3", "y"] and docs[1].id == "x"
    res = framing.analyze(pd.DataFrame({"id": ["a", "a"], "text": [body(0), body(1)]}), id_column="id")
    assert res.articles["doc_id"].tolist() == ["a", "a#2"] and res.meta["counts"]["renamed_ids"] == 1


def test_two_jobs_same_results(corpus, serial, tmp_path):
    root, _, _ = corpus
    run = run_corpus([root], tmp_path / "j2", model=False, jobs=2, shard_docs=4)
    assert run.summary["run"]["engine"] == "processes"
    assert_same(serial[0], tmp_path / "j2")


def test_dask_cluster_same_results(corpus, serial, tmp_path):
    distributed = pytest.importorskip("distributed")
    root, _, _ = corpus
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp",
                                  dashboard_address=None) as cluster:
        r = runner.invoke(app, ["analyze", str(root), "-o", str(tmp_path / "dk"), "--engine", "dask",
                                "--scheduler", cluster.scheduler_address, "--lexicon-only", "--shard-docs", "4",
                                "--no-report"])
    assert r.exit_code == 0, r.output
    assert json.loads((tmp_path / "dk" / "summary.json").read_text(encoding="utf-8"))["run"]["engine"] == "dask"
    assert_same(serial[0], tmp_path / "dk")


def test_resume_after_interruption(corpus, serial, tmp_path):
    root, _, _ = corpus
    out = tmp_path / "r"
    with pytest.raises(KeyboardInterrupt):
        run_corpus([root], out, model=False, jobs=1, shard_docs=4, _stop_after=2)
    assert not (out / "summary.json").exists()
    with pytest.raises(RunError, match="settings changed"):
        run_corpus([root], out, model=False, jobs=1, shard_docs=5, resume=True)
    run = run_corpus([root], out, model=False, jobs=2, shard_docs=4, resume=True)
    assert run.summary["run"]["shards_resumed"] == 2 and run.summary["run"]["shards_scored"] >= 1
    assert_same(serial[0], out)
    assert run.counts == serial[1].counts


def test_resume_rescores_a_shard_whose_documents_changed(corpus, tmp_path):
    """A finished shard is kept on --resume only while its documents read the same (their fingerprint,
    taken by the worker that scored them and by the resuming run)."""
    import shutil

    from framing.pipeline import _read_arrow

    root = tmp_path / "corpus"
    shutil.copytree(corpus[0], root)
    out = tmp_path / "r"
    with pytest.raises(KeyboardInterrupt):
        run_corpus([root], out, model=False, jobs=1, shard_docs=4, _stop_after=2)
    paths = _read_arrow(out / "_work" / "articles-00000.arrow").column("path").to_pylist()
    path = Path(next(p for p in paths if p.endswith("bom.txt")))  # a text file of the first shard
    stat = path.stat()  # the same size and time: only the documents' fingerprint tells the change
    path.write_text(path.read_text(encoding="utf-8").replace("بغداد", "الرمل"), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size
    run = run_corpus([root], out, model=False, jobs=2, shard_docs=4, resume=True)
    assert run.summary["run"]["shards_resumed"] == 1
    assert "الرمل" in " ".join(read_table(out, "sentences")["text"])


def test_cli_strict_csv_and_load(corpus, tmp_path):
    root, good, bad = corpus
    out = tmp_path / "cli"
    r = runner.invoke(app, ["analyze", str(root), "-o", str(out), "--lexicon-only", "--jobs", "1", "--no-report"])
    assert r.exit_code == 0, r.output
    assert "skipped" in r.output
    assert (out / "sentences.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # small run: CSV beside Parquet
    res = framing.load(out)
    assert sorted(res.articles["doc_id"]) == sorted(good) and len(res.skipped) == len(bad)
    csv_sents = pd.read_csv(out / "sentences.csv", encoding="utf-8-sig")
    assert list(csv_sents["text"]) == list(res.sentences["text"])
    strict = runner.invoke(app, ["analyze", str(root), "-o", str(tmp_path / "s"), "--lexicon-only", "--jobs", "1",
                                 "--strict", "--no-report", "--no-csv"])
    assert strict.exit_code == 1
    assert not (tmp_path / "s" / "sentences.csv").exists() and (tmp_path / "s" / "sentences").is_dir()


def test_field_mapping(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "x.csv").write_text(f"key,story,outlet_name\nk1,{body(1)},aawsat\n", encoding="utf-8")
    items = list(read_inputs([src]))  # no text column: the file is skipped once, naming its header
    assert len(items) == 1 and isinstance(items[0], Skipped) and items[0].location == "file"
    assert "no text field" in items[0].reason and "key, story, outlet_name" in items[0].reason
    r = runner.invoke(app, ["analyze", str(src), "-o", str(tmp_path / "o"), "--lexicon-only", "--no-report",
                            "--field", "text=story", "--field", "id=key", "--field", "source=outlet_name"])
    assert r.exit_code == 0, r.output
    a = read_table(tmp_path / "o", "articles")
    assert list(a["doc_id"]) == ["k1"] and list(a["source"]) == ["Asharq Al-Awsat"]
    bad = runner.invoke(app, ["analyze", str(src), "-o", str(tmp_path / "o2"), "--field", "txt=story", "--no-report"])
    assert bad.exit_code == 2 and "unknown field" in bad.output


def test_api_reads_new_formats_in_memory(corpus, serial):
    root, good, _ = corpus
    res = framing.analyze(root, model=False)
    assert sorted(res.articles["doc_id"]) == sorted(good)
    # the corpus run's profile, added up part by part from disk, is the one of the whole table in memory
    _, run = serial
    assert res.meta["frames"] == run.summary["frames"] and res.meta["voices"] == run.summary["voices"]
    assert sum(run.summary["voices"].values()) == len(res.sentences)
    assert any(f["sentences"] for f in run.summary["frames"].values())
    docs = [i for i in read_inputs([root]) if isinstance(i, Document)]
    assert all(d.encoding for d in docs)


def test_a_run_leaves_the_garbage_collector_as_it_was(corpus, tmp_path):
    """A run in the caller's process tunes the garbage collector for scoring, and puts it back."""
    import gc

    root, _, _ = corpus
    before = gc.get_threshold(), gc.get_freeze_count()
    run_corpus([root], tmp_path / "o", model=False, jobs=1, shard_docs=4)
    assert (gc.get_threshold(), gc.get_freeze_count()) == before
