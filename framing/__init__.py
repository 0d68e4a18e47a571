"""framing: an Arabic-first media-framing discourse analyzer.

>>> import framing
>>> res = framing.analyze("seeds/")          # doctest: +SKIP
>>> res.sentences, res.articles              # doctest: +SKIP
"""
__version__ = "0.1.0"

from .api import analyze, explain, score_records, scorer  # noqa: E402
from .corpus import Document, Sentence, parse_article  # noqa: E402
from .lexicon import FRAMES, VOICES, LexiconError, load_lexicon  # noqa: E402
from .results import Results, load  # noqa: E402

__all__ = ["analyze", "explain", "score_records", "scorer", "load", "Results", "Document", "Sentence",
           "parse_article", "load_lexicon", "LexiconError", "FRAMES", "VOICES", "__version__"]
