import framing.text as text_module
from framing.text import normalize, normalize_text, split_sentences, tokenize


def test_normalization_unifies_letter_forms_and_digits():
    assert normalize_text("أإآٱ") == "اااا"
    assert normalize_text("مستشفى") == "مستشفي"
    assert normalize_text("الدولة") == "الدوله"
    assert normalize_text("٣٫٥ و١٢٣") == "3.5 و123"
    assert normalize_text("مـــؤتمر") == "موتمر"


def test_normalization_is_the_table_for_every_text():
    """Whatever path a text takes (ASCII alone, or with Arabic), it is normalized by the character table."""
    ascii_all = "".join(map(chr, range(128)))
    for text in (ascii_all, "Published 2015-07-21T01:26:04Z by AFP", "", "ISIS قال " + ascii_all, "٣٫٥ Mosul"):
        assert normalize_text(text) == text.translate(text_module._table()), text


def test_offsets_survive_dropped_diacritics_and_tatweel():
    original = "وَقَالَ الـمُتَحَدِّثُ: إِنَّ"
    n = normalize(original)
    assert n.text == "وقال المتحدث: ان"
    for start, end in tokenize(n.text):
        s, e = n.span(start, end)
        assert normalize_text(original[s:e]) == n.text[start:end]
        assert not original[s].isspace() and not original[e - 1].isspace()


def test_split_keeps_numbers_quotes_and_pauses():
    text = 'رصدت 3.5 مليارات دولار. وقال: "هذا نجاح. وهو كبير" أمس.. ثم غادر! هل يفلح؟ نعم'
    sents = [text[s:e] for s, e in split_sentences(text)]
    assert sents == ["رصدت 3.5 مليارات دولار.", 'وقال: "هذا نجاح. وهو كبير" أمس.. ثم غادر!', "هل يفلح؟", "نعم"]


def test_split_on_newlines_and_abbreviation():
    text = "قال د. أحمد إن الوضع صعب\nالسطر الثاني"
    assert [text[s:e] for s, e in split_sentences(text)] == ["قال د. أحمد إن الوضع صعب", "السطر الثاني"]


def test_tokens_keep_decimals_and_times():
    text = "الساعة 03:41 و3.5 مليار و10,000"
    assert [text[s:e] for s, e in tokenize(text)] == ["الساعة", "03:41", "و3.5", "مليار", "و10,000"]


def test_tokens_with_arrays_are_the_regex_tokens():
    """A batch is tokenized with arrays: the same tokens as :data:`TOKEN_RE` on every mix of letters,
    digits, number joiners, astral letters and other digits (² is a digit but not [0-9])."""
    import random

    from framing.text import code_points, token_spans, word_chars

    rng = random.Random(7)
    alphabet = list("ab35.,: _-\nاله٣²") + ["\U0001d400"]
    texts = ["", "3.5x.7", "a.5b.6", "3..5", "10,000:30.", ".5", "x._5"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) for _ in range(5000)]
    for text in texts:
        cps = code_points(text)
        starts, ends = token_spans(cps, word_chars(cps))
        assert list(zip(starts.tolist(), ends.tolist())) == tokenize(text), text


def test_normalization_table_is_camel_tools_own():
    """The diacritics named in framing.text are the ones camel-tools' dediac_ar drops: the same table."""
    from camel_tools.utils.dediac import dediac_ar

    from framing.text import ARABIC_DIACRITICS, build_table

    assert text_module._table() == build_table(dediac_ar)
    assert all(text_module._table()[ord(c)] is None for c in ARABIC_DIACRITICS)
    assert normalize_text("مُحَمَّدٌ") == "محمد"


def test_token_hashes_are_the_two_polynomials_of_each_token():
    """Each token's two hashes are sum(c * base**i) over its code points (modulo 2**64, and modulo the
    prime), for short, empty, long (hashed alone) and repeated tokens: equal tokens hash equal anywhere."""
    import numpy as np

    rng = np.random.default_rng(11)
    cps = rng.integers(1, 0x10FFFF, 4000).astype(np.uint32)
    cps[3000:3007] = cps[10:17]
    spans = [(10, 17), (3000, 3007), (20, 20), (30, 31), (40, 300), (400, 2400), (2500, 2755), (2800, 2810)]
    starts, ends = (np.array(v, dtype=np.int64) for v in zip(*spans))
    first, second = text_module.token_hashes(cps, starts, ends)
    for (s, e), h1, h2 in zip(spans, first.tolist(), second.tolist()):
        codes = cps[s:e].tolist()
        assert h1 == sum(c * text_module._HASH_BASE ** i for i, c in enumerate(codes)) % 2**64, (s, e)
        assert h2 == sum(c * text_module._HASH_PRIME_BASE ** i for i, c in enumerate(codes)) % text_module._HASH_PRIME
    assert first[0] == first[1] and second[0] == second[1]
    empty = text_module.token_hashes(cps, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    assert [len(h) for h in empty] == [0, 0]
