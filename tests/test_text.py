from framing.text import normalize, normalize_text, split_sentences, tokenize


def test_normalization_unifies_letter_forms_and_digits():
    assert normalize_text("أإآٱ") == "اااا"
    assert normalize_text("مستشفى") == "مستشفي"
    assert normalize_text("الدولة") == "الدوله"
    assert normalize_text("٣٫٥ و١٢٣") == "3.5 و123"
    assert normalize_text("مـــؤتمر") == "موتمر"


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
