from framing.corpus import parse_article, read_corpus, Skipped, Document


def test_seed_layout(seed_doc):
    assert seed_doc.title == 'مؤتمر التحالف الدولي في واشنطن.. هل يفلح في كبح مخاطر "داعش"؟'
    assert seed_doc.date == "2016-07-20T15:41:00"
    texts = [s.text for s in seed_doc.sentences]
    assert texts[0] == seed_doc.title and seed_doc.sentences[0].is_title
    assert "طباعة" not in texts and not any("03:41" in t for t in texts)
    assert texts[1].startswith("مع اقتراب عامين")
    assert texts[-1].endswith("لم يقف أمامها أى قوة عسكرية أو بشرية.")


def test_sentence_offsets_point_into_original_text(seed_doc):
    for s in seed_doc.sentences:
        assert seed_doc.text[s.start:s.end] == s.text


def test_plain_text_is_all_body():
    doc = parse_article("هذا نص بلا عنوان. وفيه جملتان.", "plain")
    assert doc.title is None and doc.date is None
    assert [s.text for s in doc.sentences] == ["هذا نص بلا عنوان.", "وفيه جملتان."]


def test_trec_records(tmp_path):
    xml = ("<DOC>\n<DOCNO>JA-x-1-20170121</DOCNO>\n<SRC>Jawhara FM</SRC>\n<TITLE>عنوان الخبر</TITLE>\n"
           "<TIME>2017-01-21T23:43:00+01:00</TIME>\n<TEXT>\nالجملة الأولى. الجملة الثانية.\n</TEXT>\n</DOC>")
    (tmp_path / "JA-x-1-20170121.txt").write_text(xml, encoding="utf-8")
    [doc] = read_corpus([tmp_path])
    assert (doc.id, doc.source, doc.date, doc.title) == ("JA-x-1-20170121", "Jawhara FM", "2017-01-21T23:43:00", "عنوان الخبر")
    assert [s.text for s in doc.sentences] == ["عنوان الخبر", "الجملة الأولى.", "الجملة الثانية."]


def test_bad_files_are_skipped_with_reason(tmp_path):
    (tmp_path / "good.txt").write_text("جملة صالحة.", encoding="utf-8")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02binary")
    items = list(read_corpus([tmp_path]))
    docs = [i for i in items if isinstance(i, Document)]
    skipped = {i.path.split("/")[-1]: i.reason for i in items if isinstance(i, Skipped)}
    assert [d.id for d in docs] == ["good"]
    assert set(skipped) == {"empty.txt", "latin1.txt", "bin.txt"}
    assert "UTF-8" in skipped["latin1.txt"] and "empty" in skipped["empty.txt"]
