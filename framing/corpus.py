"""Documents and their sentences, and readers that turn files into documents.

Like spaCy's ``Doc``: a :class:`Document` owns its text and its sentences, and
every sentence keeps its character offsets into that original text.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterator

from .dates import looks_like_date_line, parse_date
from .text import split_sentences

BOILERPLATE_LINES = frozenset(
    {"طباعة", "طباعه", "print", "شارك", "مشاركة", "أرسل لصديق", "ارسل لصديق", "حفظ", "تكبير الخط", "تصغير الخط"}
)


@dataclass
class Sentence:
    """A sentence: ``doc.text[start:end]``; ``is_title`` for the headline."""

    doc_id: str
    index: int
    start: int
    end: int
    text: str
    is_title: bool = False


@dataclass
class Document:
    """An article: its original text, metadata, and the spans of its sentences."""

    id: str
    text: str
    title: str | None = None
    date: str | None = None
    source: str | None = None
    path: str | None = None
    encoding: str | None = None
    regions: list[tuple[int, int, bool]] = field(default_factory=list)  # (start, end, is_title)
    _sentences: list[Sentence] | None = field(default=None, repr=False)

    @property
    def sentences(self) -> list[Sentence]:
        """Sentences of the title and body, in reading order, with offsets into ``text``."""
        if self._sentences is None:
            regions = self.regions or [(0, len(self.text), False)]
            out: list[Sentence] = []
            for start, end, is_title in regions:
                for s, e in split_sentences(self.text[start:end]):
                    out.append(Sentence(self.id, len(out), start + s, start + e, self.text[start + s:start + e], is_title))
            self._sentences = out
        return self._sentences

    @property
    def body(self) -> str:
        return "\n".join(self.text[s:e] for s, e in self.body_spans)

    @property
    def body_spans(self) -> list[tuple[int, int]]:
        """Where :attr:`body` is in ``text``: the body regions (joined by a newline), or all of it."""
        return [(s, e) for s, e, t in self.regions if not t] if self.regions else [(0, len(self.text))]


def doc_id_for(path: Path | str, text: str) -> str:
    """A stable id: the file stem plus a short content hash when the stem is not unique enough."""
    stem = Path(path).stem
    return stem if stem else hashlib.sha1(text.encode()).hexdigest()[:16]


_LINE_RE = re.compile(r"[^\n]*\n?")


def parse_article(text: str, doc_id: str, path: str | None = None, source: str | None = None) -> Document:
    """Read the scraped-news layout (title, date line, boilerplate, body); plain text is all body.

    The layout is recognised when the second non-empty line is a date line; then
    the first line is the title. Boilerplate lines (طباعة …) are dropped.
    """
    lines: list[tuple[int, int]] = []  # (start, end) of each line without its newline
    for m in _LINE_RE.finditer(text):
        if m.start() == m.end():
            break
        end = m.end() - 1 if m.group().endswith("\n") else m.end()
        if end > m.start() and text[end - 1] == "\r":
            end -= 1
        lines.append((m.start(), end))
    nonempty = [(s, e) for s, e in lines if text[s:e].strip()]
    doc = Document(id=doc_id, text=text, path=path, source=source)
    body_from = 0
    if len(nonempty) >= 2 and looks_like_date_line(text[nonempty[1][0]:nonempty[1][1]]):
        (ts, te), (ds, de) = nonempty[0], nonempty[1]
        doc.title = text[ts:te].strip()
        doc.date = parse_date(text[ds:de])
        doc.regions.append((ts, te, True))
        body_from = de
    for s, e in lines:
        if s < body_from:
            continue
        line = text[s:e].strip()
        if not line or line.lower() in BOILERPLATE_LINES:
            continue
        doc.regions.append((s, e, False))
    return doc


@dataclass(frozen=True)
class Skipped:
    """An input item that could not be read, and why (written to ``skipped.csv``)."""

    path: str
    location: str
    reason: str


class UniqueIds:
    """Keeps the documents' ids unique within a run, so that every ``doc_id`` names one article: a document
    whose id came before gets a copy with ``id#2``, ``id#3``… in reading order (the same inputs always give
    the same ids). Holds an 8-byte digest per id seen, not the ids."""

    def __init__(self) -> None:
        self._next: dict[bytes, int] = {}  # digest of an id given out -> the next suffix to try for it
        self.renamed = 0

    def __call__(self, doc: Document) -> Document:
        key = _digest(doc.id)
        if key not in self._next:
            self._next[key] = 2
            return doc
        n = self._next[key]
        while _digest(new := f"{doc.id}#{n}") in self._next:  # «x#2» may be some other document's own id
            n += 1
        self._next[key] = n + 1
        self._next[_digest(new)] = 2
        self.renamed += 1
        return replace(doc, id=new, _sentences=None)  # a copy: the caller's document keeps its id


def _digest(doc_id: str) -> bytes:
    return hashlib.blake2b(doc_id.encode("utf-8", "surrogatepass"), digest_size=8).digest()


def read_corpus(paths: list[Path | str]) -> Iterator[Document | Skipped]:
    """Documents from files and folders; an unreadable item comes out as :class:`Skipped`, never raised.

    Every format of :mod:`framing.readers` (.txt, .json, .jsonl, .csv/.tsv, .xml, .zip, .gz)."""
    from .readers import read_inputs

    yield from read_inputs(paths)


def make_document(doc_id: str, body: str, title: str | None = None, date: str | None = None,
                  source: str | None = None, path: str | None = None) -> Document:
    """A document from separate title and body fields: ``text`` is the title, a newline, then the body."""
    title = (title or "").strip()
    text = f"{title}\n{body}" if title else body
    doc = Document(id=doc_id, text=text, title=title or None, date=date, source=source, path=path)
    offset = 0
    if title:
        doc.regions.append((0, len(title), True))
        offset = len(title) + 1
    doc.regions.append((offset, len(text), False))
    return doc
