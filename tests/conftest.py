from pathlib import Path

import pytest

from framing.corpus import parse_article
from framing.lexicon import load_lexicon
from framing.score import LexiconScorer

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_c5497f0e217bbb0b.txt"


@pytest.fixture(scope="session")
def lexicon():
    return load_lexicon()


@pytest.fixture(scope="session")
def seed_doc():
    return parse_article(SEED.read_text(encoding="utf-8"), SEED.stem, path=str(SEED))


@pytest.fixture(scope="session")
def seed_scores(lexicon, seed_doc):
    return LexiconScorer(lexicon).score_document(seed_doc)


def find(scores, fragment):
    """The scored sentence that contains ``fragment`` (tests address sentences by content)."""
    hits = [s for s in scores if fragment in s.text]
    assert len(hits) == 1, f"{len(hits)} sentences contain {fragment!r}"
    return hits[0]
