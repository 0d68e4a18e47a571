import pytest

from framing.lexicon import LexiconError, Matcher, load_lexicon, Entry, _normalize_term
from framing.text import normalize_text

HEADER = "name: t\nversion: 0.1\nframes:\n"


def _matcher(*terms):
    return Matcher([Entry(term=t, norm=_normalize_term("x", 1, t), frame="diplomacy") for t in terms])


def _found(matcher, text):
    norm = normalize_text(text)
    return [norm[m.start:m.end] for m in matcher.find(norm)]


def test_proclitics_match_and_suffix_only_with_wildcard():
    exact = _matcher("تحالف")
    assert _found(exact, "والتحالف للتحالف بالتحالف فالتحالف وللتحالف تحالف") == [
        "والتحالف", "للتحالف", "بالتحالف", "فالتحالف", "وللتحالف", "تحالف"]
    assert _found(exact, "التحالفات تحالفها") == []
    wild = _matcher("تحالف*")
    assert _found(wild, "التحالفات وتحالفها") == ["التحالفات", "وتحالفها"]


def test_no_match_inside_a_word():
    assert _found(_matcher("نجاح"), "انجاحه") == []


def test_phrases_gaps_and_definite_entries():
    m = _matcher("لم يسفر* ~ عن", "الدولة الإسلامية")
    assert _found(m, "ولم يسفر الاجتماع الطويل عن شيء") == ["ولم يسفر الاجتماع الطويل عن"]
    assert _found(m, "لم يسفر عن") == ["لم يسفر عن"]
    assert _found(m, "للدولة الإسلامية وبالدولة الاسلامية") == ["للدوله الاسلاميه", "وبالدوله الاسلاميه"]


def test_phrases_that_share_their_first_word():
    """Phrases opening with one word are each found where they go on, alone or together, and none where
    the word goes on otherwise (with a word alone as a third entry)."""
    m = _matcher("مع ذلك", "مع ذلك لم", "في تقرير* لها", "في تقرير* سابق لها")
    assert _found(m, "ومع ذلك لم يتغير شيء") == ["ومع ذلك لم", "ومع ذلك"]  # the longer first
    assert _found(m, "مع ذلك، قال") == ["مع ذلك"]
    assert _found(m, "في تقريرها لها وفي تقرير سابق لها وفي تقرير آخر") == ["في تقريرها لها", "وفي تقرير سابق لها"]
    assert _found(m, "مع الوفد في العاصمة") == []
    assert _found(_matcher("مع ذلك", "مع ذلك لم", "مع"), "مع الوفد ومع ذلك") == ["مع", "ومع ذلك", "ومع"]


def test_a_word_that_is_an_entry_and_begins_phrases_is_found_where_its_phrases_fail():
    """A first word with several phrases and entries of its own («لم»: a negator, and «لم يحقق»، «لم ينجح*»
    …) is tested once for all its phrases; where none goes on, its own entries still count: the same
    matches, in the same order, as each entry looked up alone."""
    terms = ["لم", "لم يحقق", "لم ينجح*", "لم ~ تقدم", "لم*", "تقدم", "لم يحقق اي"]
    entries = [Entry(term=t, norm=_normalize_term("x", 1, t), frame="diplomacy", weight=1 + i / 10)
               for i, t in enumerate(terms)]
    together = Matcher(entries)
    alone = [Matcher([e]) for e in entries]
    for text in ["لم يحقق التحالف اي تقدم", "ولم ينجحوا، ولم يتقدموا", "لم تكن لمسات", "فلم يحقق أي شيء",
                 "لم «يحقق» شيئا لم", "لم", "لمّا لم تقدم لم  تقدم", "قالوا: لم؛ لم يحققوا"]:
        norm = normalize_text(text)
        each = sorted((m for a in alone for m in a.find(norm)), key=lambda m: (m.start, -m.end))
        assert together.find(norm) == each, text
    assert _found(together, "فلم يحقق أي شيء، لم تكن") == ["فلم يحقق اي", "فلم يحقق", "فلم", "فلم", "لم", "لم"]


def test_phrases_of_a_common_first_word_are_found_from_their_second(lexicon):
    """Phrases whose first word is common («في», «من», «مع») are looked up by their first two words: the
    same matches, in the same order, as looking them up by the first word, whatever separates the words
    (one space, punctuation, quotes, an underscore that joins them), with proclitics, gaps and a common word
    that is also an entry of its own; and so for the bundled lexicon on generated text."""
    import random

    terms = ["مع ذلك", "مع ذلك لم", "في تقرير* لها", "في تقرير* سابق لها", "من الممكن", "من ~ المحتمل",
             "قد يكون*", "قد", "لا جدوي", "لا", "عن الممكنات", "عن الممكن*"]  # (two forms: one begins the other)
    entries = [Entry(term=t, norm=_normalize_term("x", 1, t), frame="diplomacy") for t in terms]
    common = frozenset({"مع", "في", "من", "قد", "لا", "عن"})
    by_pairs, by_first = Matcher(entries, common), Matcher(entries)
    assert len(by_pairs.automaton) > len(by_first.automaton)  # the pairs are in use
    bundled = lexicon.matcher
    plain = Matcher([e for e in lexicon.entries if e.cue != "function_words"])
    seps = [" ", "، ", " «", "» ", "_", "\n", "  ", "-", ""]
    proclitics = [c + p for c in ("", "و", "ف") for p in ("", "ال", "بال", "كال", "لل", "ب", "ك", "ل")]
    for term in terms:  # every phrase, its second word in every proclitic form, after every separator
        head, second, *rest = [w.rstrip("*") for w in term.split() if w != "~"] + [""]
        for text in (h + sep + p + second + end + " " + " ".join(rest) for h in (head, "و" + head) for sep in seps
                     for p in proclitics for end in ("", "ات")):
            assert by_pairs.find(text) == by_first.find(text), text
    words = sorted({w.rstrip("*") for t in terms for w in t.split() if w != "~"}) + ["تقريرها", "الوفد"]
    bundled_words = sorted({w.rstrip("*") for e in lexicon.entries for w in e.norm.split() if w != "~"})
    rng = random.Random(5)
    for _ in range(2000):  # and in longer texts
        text = "".join(rng.choice(words) + rng.choice(seps) for _ in range(rng.randint(1, 8)))
        assert by_pairs.find(text) == by_first.find(text), text
        text = "".join(rng.choice(bundled_words) + rng.choice(seps) for _ in range(rng.randint(1, 8)))
        assert bundled.find(text) == plain.find(text), text
    assert _found(by_pairs, "ومع ذلك، في تقرير سابق لها وفي «تقريرها» لها") == [
        "ومع ذلك", "في تقرير سابق لها", "وفي «تقريرها» لها"]
    assert _found(by_pairs, "مع_ذلك") == []


def test_bundled_lexicon_is_valid_and_large(lexicon):
    assert lexicon.name == "coalition"
    frames = {e.frame for e in lexicon.entries if e.frame}
    assert len(frames) == 6
    assert len([e for e in lexicon.entries if e.frame]) >= 250


def _write(tmp_path, body):
    p = tmp_path / "lex.yaml"
    p.write_text(body, encoding="utf-8")
    return p


@pytest.mark.parametrize("body, line, words", [
    (HEADER + "  threat:\n    entries:\n      - {term: خطر, weight: 1\n", 6, ["invalid YAML"]),
    (HEADER + "  threats:\n    entries:\n      - {term: خطر}\n", 4, ["unknown frame", "threats"]),
    (HEADER + "  threat:\n    entries:\n      - {term: خطر}\n      - {term: تهديد, weight: 7}\n", 7, ["weight", "تهديد"]),
    (HEADER + "  threat:\n    entries:\n      - {term: خطر}\n      - {term: تهديد}\n      - {term: خَطَر}\n", 8,
     ["duplicate", "line 6", "خَطَر"]),
    (HEADER + "  threat:\n    entries:\n      - {term: خطر}\n      - {term: \"ـــ\"}\n", 7, ["normalizes to nothing"]),
    (HEADER + "  threat:\n    entries:\n      - {term: خطر, wieght: 2}\n", 6, ["unknown field", "wieght"]),
    (HEADER + "  threat:\n    entries:\n      - {term: خطر}\ncues:\n  negaters: [لم]\n", None, ["unknown cue class"]),
    (HEADER + "  threat:\n    threshold: 1.5\n    entries:\n      - {term: خطر}\n", 5, ["threshold", "threat", "1.5"]),
    (HEADER + "  threat:\n    threshold: high\n    entries:\n      - {term: خطر}\n", 5, ["threshold", "'high'"]),
    (HEADER + "  threat:\n    treshold: 0.3\n    entries:\n      - {term: خطر}\n", 4, ["unknown field", "treshold"]),
])
def test_lexicon_errors_name_file_line_and_entry(tmp_path, body, line, words):
    path = _write(tmp_path, body)
    with pytest.raises(LexiconError) as err:
        load_lexicon(path)
    msg = str(err.value)
    assert msg.startswith(str(path))
    if line:
        assert f"{path}:{line}:" in msg
    for w in words:
        assert w in msg


def test_frame_threshold_in_the_lexicon_decides_the_label(tmp_path):
    """A weak cue alone labels a sentence only where the lexicon sets a low threshold for its frame."""
    from framing.score import LexiconScorer

    body = HEADER + "  threat:\n    {}entries:\n      - {{term: خطر, weight: 0.3}}\n"
    default = LexiconScorer(load_lexicon(_write(tmp_path, body.format(""))))
    low = LexiconScorer(load_lexicon(_write(tmp_path, body.format("threshold: 0.2\n    "))))
    assert low.lexicon.thresholds == {"threat": 0.2} and low.thresholds["threat"] == 0.2
    assert "threat" not in default.score_text("هناك خطر كبير").labels
    assert "threat" in low.score_text("هناك خطر كبير").labels
    assert LexiconScorer(low.lexicon, {"threat": 0.9}).thresholds["threat"] == 0.9  # an explicit setting wins
