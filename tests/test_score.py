"""The scorer on the seed: the codebook's examples, negation, attribution, offsets."""
import pytest

from framing.score import LexiconScorer
from conftest import find

CODEBOOK_EXAMPLES = [
    ("يقف عاجزًا في مواجهة", "coalition_failure"),
    ("ولم يسفر الاجتماع بأي جديد", "coalition_failure"),
    ("يحقق نجاحات على الأرض", "official_success"),
    ("لم يزل التنظيم الإرهابي يتوغل ويتمدد", "threat"),
    ("يجند ألف عنصر كل شهر ويعوض خسائره البشرية", "threat"),
    ("موقعًا 84 قتيلًا و300 جريح", "civilian_harm"),
    ("أكثر من 280 شخصًا راحوا ضحايا غارات", "civilian_harm"),
    ("واستعادت القوات العراقية الفلوجة", "military_progress"),
    ("وتجتمع في واشنطن على مدار يومي", "diplomacy"),
    ("هل يفلح في كبح مخاطر", "threat"),
    ("حسب تصريح لتوني بلينكين", "official_success"),
]


@pytest.mark.parametrize("fragment, frame", CODEBOOK_EXAMPLES)
def test_codebook_examples_get_their_frame(seed_scores, fragment, frame):
    s = find(seed_scores, fragment)
    assert frame in s.labels, (s.labels, [(h.frame, h.text) for h in s.hits])


def test_official_success_is_never_authorial(seed_scores):
    official = [s for s in seed_scores if "official_success" in s.labels]
    assert len(official) >= 3
    assert all(s.voice == "official" for s in official)


@pytest.mark.parametrize("fragment, voice", [
    ("وقال ماكورك: إن التحالف الدولي", "official"),      # name learned from «المبعوث … ماكغورك»
    ("ويرى محللون أن داعش", "other_source"),
    ("ووفق المرصد السوري", "other_source"),
    ("وبَيَّن أن الوزراء", "official"),                  # continues the previous speaker (P5)
    ("وتجتمع في واشنطن", "authorial"),
])
def test_voice(seed_scores, fragment, voice):
    assert find(seed_scores, fragment).voice == voice


def test_hit_offsets_point_at_original_words(seed_doc, seed_scores):
    n = 0
    for s in seed_scores:
        for h in s.hits:
            assert seed_doc.text[h.start:h.end] == h.text
            n += 1
    assert n > 50


def test_negated_success_is_failure(lexicon):
    sc = LexiconScorer(lexicon)
    s = sc.score_text("ولم يحقق التحالف تقدما ملحوظا في الحرب على التنظيم")
    assert "coalition_failure" in s.labels and "official_success" not in s.labels
    assert any(h.negated for h in s.hits)
    plain = sc.score_text("وقال الوزير إن التحالف حقق تقدما ملحوظا في الحرب على التنظيم")
    assert "official_success" in plain.labels and "coalition_failure" not in plain.labels


@pytest.mark.parametrize("text, voice, cue", [
    ("وزير الدفاع الأميركي: مهمة الناتو مستمرة في أفغانستان", "official", "وزير الدفاع الأميركي:"),
    ("قائد عمليات الأنبار: قواتنا على مسافة كيلومتر من مركز الرمادي", "official", "قائد عمليات الأنبار:"),
    ("خبراء: داعش يجند الشباب عبر الإنترنت", "other_source", "خبراء:"),
    ("سوريا: اشتباكات عنيفة في ريف حلب", "authorial", ""),                      # a place label
    ("رابط الخبر بصحيفة الوئام: داعش يعتمد على ألعاب الفيديو", "authorial", ""),  # a genre label
    ("وقال المحلل: إن التحالف يحتاج إلى وقت", "other_source", "وقال"),           # the verb speaks, as before
])
def test_headline_speaker_before_a_colon(lexicon, text, voice, cue):
    """Codebook P18: a speaker and a colon open the sentence, as if «قال»; a place or genre label does not."""
    s = LexiconScorer(lexicon).score_text(text)
    assert (s.voice, s.voice_cue) == (voice, cue)


def test_success_needs_an_official_source(lexicon):
    sc = LexiconScorer(lexicon)
    authorial = sc.score_text("وحققت القوات نجاحا كبيرا في المعركة")
    assert "official_success" not in authorial.labels and "military_progress" in authorial.labels
    official = sc.score_text("وأعلن المتحدث باسم الجيش أن القوات حققت نجاحا كبيرا")
    assert official.voice == "official" and "official_success" in official.labels


def test_contrast_weighs_second_clause(lexicon):
    s = LexiconScorer(lexicon).score_text("تلقى التنظيم ضربات موجعة، لكنه لم يفقد قدرته على تنفيذ الهجمات")
    before = [h for h in s.hits if h.text == "ضربات موجعة"][0]
    after = [h for h in s.hits if "الهجمات" in h.text][0]
    assert before.weight < after.weight
    assert "threat" in s.labels
    assert any(h.negated and h.frame == "threat" for h in s.hits)  # «لم يفقد قدرته» is threat


def test_unrelated_sentence_gets_no_frame(lexicon):
    s = LexiconScorer(lexicon).score_text("فاز الفريق الأهلي بكأس الدوري بعد مباراة مثيرة")
    assert s.labels == [] and s.voice == "authorial"


@pytest.fixture(scope="module")
def default_run():
    import framing
    from conftest import SEED
    return framing.analyze(SEED)


@pytest.mark.parametrize("fragment, frame", CODEBOOK_EXAMPLES)
def test_codebook_examples_with_bundled_model(default_run, fragment, frame):
    s = default_run.sentences
    row = s[s["text"].str.contains(fragment, regex=False)].iloc[0]
    assert default_run.meta["model"] == "lexicon+classifier"
    assert row[f"label_{frame}"], (fragment, row["labels"])
    if row["label_official_success"]:
        assert row["voice"] != "authorial"


def test_words_are_counted_in_normalized_text(lexicon):
    """Tanween, shadda or tatweel inside a word do not split it: «يوميًا» and «السنّة» are one word each."""
    from framing.api import score_batch
    from framing.corpus import Document

    text = "يزور يوميًا السنّة والشيعة في الـعراق 3.5 مرة"
    sc = LexiconScorer(lexicon)
    assert sc.score_text(text).n_words == 8
    assert score_batch([Document("d", text + ".\nوقال ذلك أيضًا.")], sc).articles[0]["n_words"] == 11


def _sentence_by_sentence(sc: LexiconScorer, doc) -> list:
    """The reference: each sentence normalized, matched and tokenized by itself, in reading order."""
    from framing.text import normalize

    norm, aliases, previous, out = normalize(doc.text), set(), "authorial", []
    for sent in doc.sentences:
        out.append(sc.score_sentence(sent, aliases, previous, norm.part(sent.start, sent.end)))
        previous = out[-1].voice
    return out


def test_batch_reads_each_sentence_as_if_alone(lexicon, seed_doc):
    """Documents are matched and tokenized as one batch, yet no word, number or phrase runs from one sentence
    into the next: a phrase with a gap («رغم ~ الغارات») across a line break, 3.5 at a sentence's end, and
    sentences a caller cut mid-word or overlapping score exactly as each sentence alone."""
    from framing.corpus import Document, Sentence

    cut_text = "وقال المتحدث إن التحالف فشل في وقف الهجمات رغم الغارات"
    cuts = [(0, 12), (9, 30), (30, 41), (41, len(cut_text))]  # «المتحدث» cut, overlapping spans, mid-word
    whole = "وقال المتحدث إن التحالف لم يحقق تقدما في وقف الهجمات"
    overlaps = [(0, len(whole)), (16, len(whole))]  # the first stands alone; the second starts inside it
    docs = [
        seed_doc,
        Document("gap", "وتقدم التنظيم رغم\nالغارات المكثفة.\nقال وزير الدفاع إن النمو بلغ 3.5\n.5 في المئة"),
        Document("cut", cut_text, _sentences=[Sentence("cut", i, s, e, cut_text[s:e]) for i, (s, e) in enumerate(cuts)]),
        Document("empty", ""),
        Document("diacritics", "لَمْ يُحَقِّقِ التَّحَالُفُ أيَّ تَقَدُّمٍ.\nوَأَعْلَنَ المُتَحَدِّثُ عَنْ مَقْتَلِ ٢٥ مَدَنِيًّا."),
        Document("number", number_text, _sentences=[Sentence("number", i, s, e, number_text[s:e])
                                                     for i, (s, e) in enumerate(number_cuts)]),
        Document("quote", "وسأل: هل هي نهاية التحالف؟».\nوقال المتحدث إن الغارات مستمرة."),
        Document("overlap", whole, _sentences=[Sentence("overlap", i, s, e, whole[s:e]) for i, (s, e) in enumerate(overlaps)]),
    ]
    sc = LexiconScorer(lexicon)
    batch = list(sc.score_documents(docs))
    assert batch == [_sentence_by_sentence(sc, d) for d in docs]
    assert any(s.hits for s in batch[0]) and [len(b) for b in batch[1:]] == [4, 4, 0, 2, 2, 2, 2]


def test_sentence_tokens_are_each_sentences_own(lexicon, seed_doc):
    """The classifier reads the words the lexicon's batch found in each sentence: the tokens of each sentence
    alone. A joiner after a closing quote («؟».») joins nothing; a number cut in two by a caller's spans
    does, and then the batch gives no tokens (the classifier reads the texts)."""
    import numpy as np

    from framing.corpus import Document, Sentence
    from framing.text import TOKEN_RE, TextBatch, normalize, normalize_text

    sc = LexiconScorer(lexicon)
    docs = [seed_doc, Document("quote", "وسأل: هل هي نهاية التحالف؟».\nوقال المتحدث إن 3.5 مليون نزحوا.")]
    norms = [normalize(d.text) for d in docs]
    text = TextBatch.of([n.text for n in norms])
    list(sc.score_documents(docs, norms, text))
    tokens = text.sentence_tokens()
    sentences = [s.text for d in docs for s in d.sentences]
    assert tokens is not None and len(text.spans) == len(sentences)
    got = [[tokens.text[a:b] for a, b, r in zip(tokens.starts, tokens.ends, tokens.rows) if r == i]
           for i in range(len(sentences))]
    assert got == [TOKEN_RE.findall(normalize_text(t)) for t in sentences]
    assert np.all(np.diff(tokens.rows) >= 0) and "3.5" in got[-1]
    cut = Document("number", number_text, _sentences=[Sentence("number", i, s, e, number_text[s:e])
                                                      for i, (s, e) in enumerate(number_cuts)])
    text = TextBatch.of([normalize(cut.text).text])
    list(sc.score_documents([cut], None, text))
    assert text.alone == [False, False] and text.sentence_tokens() is None


number_text = "قال وزير الدفاع إن النمو بلغ 3.5 في المئة"
number_cuts = [(0, 30), (30, len(number_text))]  # cut between «3» and «.5»
