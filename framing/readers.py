"""Corpus readers: files and folders of news articles in the formats corpora ship in.

``read_inputs(paths)`` walks files and folders (recursively, in sorted order)
and yields one :class:`~framing.corpus.Document` per article, or a
:class:`~framing.corpus.Skipped` naming the file, the line or record, and why
an item could not be read. Nothing is raised for bad input and nothing is
dropped silently: the caller writes the skipped items to ``skipped.csv``.

Formats, chosen by file suffix:

- ``.txt``: one article (the scraped-news seed layout, or plain text), or
  TREC-style ``<DOC>`` records as in ANT;
- ``.json``: an array of article objects, or one article object (JSON Lines
  saved as ``.json`` are read as such);
- ``.jsonl`` / ``.ndjson``: one article object per line;
- ``.csv`` / ``.tsv``: a header row, then one article per row;
- ``.xml`` / ``.sgml`` / ``.trec``: TREC/CLEF-style ``<DOC>`` records;
- ``.zip`` (every member, by its own suffix) and ``.gz`` (``x.jsonl.gz`` is a
  JSON Lines file) holding any of these — SaudiNewsNet ships zips of JSON arrays.

Fields are found by name (:data:`DEFAULT_FIELDS`; case-insensitive); name your
own with ``fields={"text": "body", "id": "key"}`` (CLI: ``--field text=body``).
Encodings: UTF-8 with or without BOM, UTF-16 with or without BOM, UTF-32 with BOM, and
Windows-1256 (Arabic) are detected; the encoding is kept on every document
(``Document.encoding``). Dates become ISO 8601 (:func:`framing.dates.parse_date`),
outlet names one canonical name each (``framing/data/outlets.yaml``).
"""
from __future__ import annotations

import codecs
import csv
import gzip
import html
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath

import yaml

from .corpus import Document, Skipped, doc_id_for, make_document, parse_article
from .dates import parse_date
from .text import normalize_text

DEFAULT_FIELDS: dict[str, tuple[str, ...]] = {
    "text": ("text", "content", "content_original", "body"),
    "title": ("title", "headline"),
    "date": ("date", "date_extracted", "published", "time", "datetime"),
    "source": ("source", "outlet", "src"),
    "id": ("id", "url", "DOCNO", "ID", "docid"),
}
FIELD_NAMES = tuple(DEFAULT_FIELDS)

TEXT_SUFFIXES = (".txt",)
JSON_SUFFIXES = (".json",)
JSONL_SUFFIXES = (".jsonl", ".ndjson")
CSV_SUFFIXES = (".csv", ".tsv")
XML_SUFFIXES = (".xml", ".sgml", ".sgm", ".trec")
ARCHIVE_SUFFIXES = (".zip", ".gz")
READABLE_SUFFIXES = TEXT_SUFFIXES + JSON_SUFFIXES + JSONL_SUFFIXES + CSV_SUFFIXES + XML_SUFFIXES + ARCHIVE_SUFFIXES

MAX_LINE_CHARS = 100_000        # a line of article text longer than this is not prose: the article is skipped
MAX_RECORD_BYTES = 16 * 2**20   # a JSON Lines / CSV line longer than this is skipped without being read whole
MAX_FILE_BYTES = 1 * 2**30      # a .txt/.json/.xml file (or archive member) larger than this is skipped
MAX_ARCHIVE_DEPTH = 3           # zips in zips in zips
SNIFF_BYTES = 1 * 2**20         # how much of a line-oriented file decides its encoding


class ReadError(ValueError):
    """A whole file (or archive member) that cannot be read."""


# --------------------------------------------------------------------------- options


@dataclass
class ReadOptions:
    """How to read records: field names, outlet aliases, limits."""

    fields: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_FIELDS))
    outlets: "OutletMap | None" = None
    max_line_chars: int = MAX_LINE_CHARS
    max_record_bytes: int = MAX_RECORD_BYTES
    max_file_bytes: int = MAX_FILE_BYTES

    def __post_init__(self):
        if self.outlets is None:
            self.outlets = default_outlets()


def parse_field_specs(specs: Iterable[str] | dict | None) -> dict[str, tuple[str, ...]]:
    """``["text=body", "id=key,url"]`` (or a dict) over the defaults; unknown targets raise ``ValueError``."""
    fields = dict(DEFAULT_FIELDS)
    if not specs:
        return fields
    items = specs.items() if isinstance(specs, dict) else [_split_spec(s) for s in specs]
    for target, names in items:
        target = target.strip().lower()
        if target not in DEFAULT_FIELDS:
            raise ValueError(f"unknown field {target!r} (fields: {', '.join(FIELD_NAMES)})")
        names = (names,) if isinstance(names, str) else tuple(names)
        names = tuple(n.strip() for part in names for n in part.split(",") if n.strip())
        if not names:
            raise ValueError(f"--field {target}= names no column")
        fields[target] = names
    return fields


def _split_spec(spec: str) -> tuple[str, str]:
    if "=" not in spec:
        raise ValueError(f"--field takes FIELD=NAME (e.g. text=body), got {spec!r}")
    target, names = spec.split("=", 1)
    return target, names


# --------------------------------------------------------------------------- outlets


@lru_cache(maxsize=4096)  # a corpus names few outlets, each on thousands of articles
def _outlet_key(name: str) -> str:
    s = normalize_text(unicodedata.normalize("NFKC", name)).casefold().strip()
    s = re.sub(r"^(?:https?://)?(?:www\.)?", "", s)
    s = re.sub(r"\.(?:com|net|org|sa|gov|co|uk|fr|tn)(?=$|[./])", "", s)
    return re.sub(r"[\W_]+", "", s)


@dataclass
class OutletMap:
    """Alias → canonical outlet name, read from a YAML file ``canonical: [alias, …]``."""

    aliases: dict[str, str] = field(default_factory=dict)
    path: str | None = None

    @classmethod
    def load(cls, path: str | Path) -> "OutletMap":
        path = Path(path)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise ValueError(f"{path}: cannot read the outlet list: {exc}") from exc
        if not isinstance(data, dict):
            raise ValueError(f"{path}: the outlet list maps a canonical name to a list of aliases")
        out = cls(path=str(path))
        for canonical, aliases in data.items():
            canonical = str(canonical).strip()
            if isinstance(aliases, str):
                aliases = [aliases]
            if not isinstance(aliases, list):
                raise ValueError(f"{path}: the aliases of {canonical!r} must be a list")
            for alias in [canonical, *map(str, aliases)]:
                key = _outlet_key(alias)
                if key:
                    out.aliases[key] = canonical
        return out

    def canonical(self, name) -> str | None:
        if name is None:
            return None
        name = " ".join(str(name).split())
        if not name:
            return None
        return self.aliases.get(_outlet_key(name), name)


def default_outlets_path() -> Path:
    return Path(__file__).resolve().parent / "data" / "outlets.yaml"


@lru_cache(maxsize=1)
def default_outlets() -> OutletMap:
    path = default_outlets_path()
    return OutletMap.load(path) if path.exists() else OutletMap()


# --------------------------------------------------------------------------- decoding

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_ARABIC_RE = re.compile(r"[\u0600-\u06ff]")
_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]")


def bom_encoding(head: bytes) -> str | None:
    for bom, enc in _BOMS:
        if head.startswith(bom):
            return enc
    return None


_PLAIN_RE = re.compile(r"[\u0600-\u06ff\x20-\x7e\s\u00a0-\u00ff\u2000-\u206f\ufe70-\ufeff]")
WIDE_PLAIN_SHARE = 0.9  # BOM-less UTF-16: this share of the sample must be Arabic, Latin, punctuation or space


def utf16_without_bom(head: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` for a sample without a byte-order mark that has NUL bytes, all on
    one side of its 16-bit units (the high byte of spaces, digits and Latin letters) and which then reads
    as Arabic or Latin text; ``None`` otherwise (binary data has NULs on both sides, or decodes to noise)."""
    sample = head[:len(head) // 2 * 2]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    for enc, nuls, other in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if nuls and not other:
            text = codecs.getincrementaldecoder(enc)(errors="replace").decode(sample, final=False)
            if text and len(_PLAIN_RE.findall(text)) >= WIDE_PLAIN_SHARE * len(text) and not _looks_binary(text):
                return enc
    return None


def _plausible_cp1256(text: str) -> bool:
    """Windows-1256 decodes any bytes; accept it only when the non-ASCII text is mostly Arabic letters."""
    non_ascii = len(_NON_ASCII_RE.findall(text))
    arabic = len(_ARABIC_RE.findall(text))
    return arabic >= 3 and arabic >= 0.7 * non_ascii and not _looks_binary(text)


def _looks_binary(text: str) -> bool:
    sample = text[:65536]
    return bool(sample) and len(_CONTROL_RE.findall(sample)) > max(2, len(sample) // 100)


def decode_bytes(raw: bytes) -> tuple[str, str]:
    """Text and encoding of a whole file; :class:`ReadError` for empty, binary or undecodable bytes."""
    if not raw.strip():
        raise ReadError("empty file")
    enc = bom_encoding(raw[:4])
    if enc:
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError as exc:
            raise ReadError(f"not valid {enc.upper()} despite its byte-order mark (byte {exc.start})") from exc
        if not text.strip():
            raise ReadError("empty file")
        return text, enc
    if b"\x00" in raw[:4096]:
        enc = utf16_without_bom(raw[:4096])
        if enc is None:
            raise ReadError("binary file (NUL bytes), not text")
        try:
            return raw.decode(enc), enc
        except UnicodeDecodeError as exc:
            raise ReadError(f"not valid {enc.upper()} (byte {exc.start})") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        alt = raw.decode("cp1256", errors="replace")
        if _plausible_cp1256(alt):
            return alt, "cp1256"
        raise ReadError(f"not valid UTF-8 at byte {exc.start}, and not Arabic in Windows-1256 either") from exc
    if _looks_binary(text):
        raise ReadError("binary file (control characters), not text")
    return text, "utf-8"


def _text_lines(stream, where: str, opts: ReadOptions, skips: list[Skipped]) -> tuple[str, Iterator[tuple[int, str | None]]]:
    """``(encoding, lines)``: decoded lines with their numbers, read from a binary stream without loading it whole.

    A line that cannot be decoded or is longer than ``max_record_bytes`` comes out as ``(n, None)``
    after its reason was appended to ``skips``.
    """
    buffered = stream if hasattr(stream, "peek") else io.BufferedReader(stream)
    head = buffered.peek(SNIFF_BYTES)[:SNIFF_BYTES]
    enc = bom_encoding(head[:4]) or utf16_without_bom(head[:4096])
    if enc:
        def gen_wide():
            text = io.TextIOWrapper(buffered, encoding=enc, newline="")
            n = 0
            try:
                for n, line in enumerate(text, 1):
                    yield n, line.rstrip("\r\n")
            except UnicodeDecodeError as exc:
                skips.append(Skipped(where, f"line {n + 1} to the end", f"not valid {enc.upper()} ({exc.reason})"))
        return enc, gen_wide()
    if not head.strip():
        raise ReadError("empty file")
    if b"\x00" in head[:4096]:
        raise ReadError("binary file (NUL bytes), not text")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)  # the sample may end mid-character
        enc = "utf-8"
    except UnicodeDecodeError:
        enc = "cp1256" if _plausible_cp1256(head.decode("cp1256", errors="replace")) else "utf-8"

    def gen():
        limit = opts.max_record_bytes
        n = 0
        while True:
            raw = buffered.readline(limit + 1)
            if not raw:
                return
            n += 1
            if len(raw) > limit and not raw.endswith(b"\n"):
                size = len(raw)
                while raw and not raw.endswith(b"\n"):  # drain the rest of the line without keeping it
                    raw = buffered.readline(limit)
                    size += len(raw)
                skips.append(Skipped(where, f"line {n}", f"line of {size:,} bytes is longer than the limit "
                                                        f"of {limit:,}; not read"))
                yield n, None
                continue
            if n == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[3:]
            try:
                line = raw.decode(enc)
            except UnicodeDecodeError as exc:
                skips.append(Skipped(where, f"line {n}", f"undecodable bytes: not valid UTF-8 at byte {exc.start} "
                                                        f"of the line"))
                yield n, None
                continue
            if _CONTROL_RE.search(line) and _looks_binary(line):
                skips.append(Skipped(where, f"line {n}", "binary data (control characters), not text"))
                yield n, None
                continue
            yield n, line.rstrip("\r\n")
    return enc, gen()


# --------------------------------------------------------------------------- records to documents


def _lookup(rec: dict, names: tuple[str, ...]):
    for name in names:
        if name in rec:
            return rec[name]
    lower = {str(k).lower(): v for k, v in rec.items()}
    for name in names:
        if name.lower() in lower:
            return lower[name.lower()]
    return None


_JSON_KINDS = {dict: "an object", list: "a list", int: "a number", float: "a number", bool: "true or false"}


def _as_text(value) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return "\n".join(value)  # paragraphs
    return None


def record_document(rec: dict, opts: ReadOptions, path: str, where: str, fallback_id: str,
                    encoding: str | None, surrogates: bool = True) -> Document | Skipped:
    """A document from one record (JSON object, CSV row, TREC fields), or why not; ``surrogates=False``:
    its strings cannot hold a lone surrogate (JSON text without a surrogate's ``\\u`` escape)."""
    if not isinstance(rec, dict):
        return Skipped(path, where, f"expected an object with article fields, got {type(rec).__name__}")
    f = opts.fields
    value = _lookup(rec, f["text"])
    text = _as_text(value)
    if text is None or not text.strip():
        what = ("no text field" if value is None else "empty text" if text is not None or value in ("", [])
                else f"the text field holds {_JSON_KINDS.get(type(value), type(value).__name__)}, not text")
        return Skipped(path, where, f"{what} (looked for {', '.join(f['text'])}; use --field text=NAME)")
    title = _as_text(_lookup(rec, f["title"]))
    raw_date = _lookup(rec, f["date"])
    raw_source = _lookup(rec, f["source"])
    raw_id = _lookup(rec, f["id"])
    for name, given in (("text", text), ("title", title), ("date", raw_date), ("source", raw_source), ("id", raw_id)):
        bad = _surrogate_at(given) if surrogates and isinstance(given, str) else None
        if bad is not None:  # JSON's "\ud800" escapes decode to a code point no file can hold
            return Skipped(path, where, f"{name} holds a lone UTF-16 surrogate (U+{ord(given[bad]):04X} at character "
                                        f"{bad}): a broken \\u escape, not text")
    date = parse_date(str(raw_date)) if raw_date not in (None, "") else None
    source = opts.outlets.canonical(raw_source)
    doc_id = str(raw_id).strip() if raw_id not in (None, "") else fallback_id
    doc = make_document(doc_id, text, title=title, date=date, source=source, path=path)
    doc.encoding = encoding
    return check_document(doc, opts, where)


_LETTER_RE = re.compile(r"\w", re.UNICODE)


def _surrogate_at(text: str) -> int | None:
    """Where ``text`` holds half of a UTF-16 pair (valid in a Python str, in no encoding), or ``None``:
    the only characters UTF-8 cannot encode."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return exc.start
    return None


def check_document(doc: Document, opts: ReadOptions, where: str) -> Document | Skipped:
    """Refuse documents with no sentence to score, or with absurdly long lines (not prose)."""
    text = doc.text
    if len(text) > opts.max_line_chars:
        longest = max(map(len, text.split("\n")))
        if longest > opts.max_line_chars:
            return Skipped(doc.path or "", where, f"a line of {longest:,} characters (limit {opts.max_line_chars:,}): "
                                                  f"not article text")
    regions = doc.regions or [(0, len(text), False)]
    if not any(_LETTER_RE.search(text, s, e) for s, e, _ in regions):
        return Skipped(doc.path or "", where, f"document {doc.id!r} has no text")
    return doc


# --------------------------------------------------------------------------- formats


def _read_txt(data: bytes, path: str, name: str, opts: ReadOptions) -> Iterator[Document | Skipped]:
    text, enc = decode_bytes(data)
    if text.lstrip().startswith("<DOC"):
        yield from _trec(text, path, opts, enc, name)
        return
    doc = parse_article(text, doc_id_for(name, text), path=path)
    doc.encoding = enc
    yield check_document(doc, opts, "file")


def _read_xml(data: bytes, path: str, name: str, opts: ReadOptions) -> Iterator[Document | Skipped]:
    text, enc = decode_bytes(data)
    yield from _trec(text, path, opts, enc, name, unescape=True)


_DOC_OPEN = re.compile(r"<DOC(?:\s[^>]*)?>", re.I)
_DOC_CLOSE = re.compile(r"</DOC\s*>", re.I)
_FIELD = re.compile(r"<([A-Za-z][\w.:-]*)(?:\s[^>]*)?>(.*?)</\1\s*>", re.S)
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)
_TAG = re.compile(r"<[^>]+>")
_BLOCK_TAG = re.compile(r"</?(?:p|br|div|para)\b[^>]*>", re.I)


def _trec(text: str, path: str, opts: ReadOptions, enc: str, name: str,
          unescape: bool = False) -> Iterator[Document | Skipped]:
    """TREC/CLEF ``<DOC>`` records; one that is not closed or has no text is skipped with its line."""
    opens = list(_DOC_OPEN.finditer(text))
    if not opens:
        raise ReadError("no <DOC> record found (expected TREC/CLEF-style <DOC>…</DOC>)")
    line, pos = 1, 0
    stem = PurePosixPath(name).stem
    for k, m in enumerate(opens, 1):
        line += text.count("\n", pos, m.start())
        pos = m.start()
        where = f"record {k} (line {line})"
        limit = opens[k].start() if k < len(opens) else len(text)
        close = _DOC_CLOSE.search(text, m.end(), limit)
        if close is None:
            yield Skipped(path, where, "<DOC> is not closed before the next record or the end of the file")
            continue
        rec: dict[str, str] = {}
        for tag, value in _FIELD.findall(text, m.end(), close.start()):
            value = _CDATA.sub(lambda c: c.group(1), value)
            if "<" in value:  # markup inside a field (CLEF <P> paragraphs): paragraphs become lines
                value = _TAG.sub(" ", _BLOCK_TAG.sub("\n", value))
            if unescape or "&" in value:
                value = html.unescape(value)
            rec.setdefault(tag, value.strip())
        yield record_document(rec, opts, path, where, f"{stem}-{k}", enc)


# where JSON text can put a lone UTF-16 surrogate into a string: a \u escape of one (D800-DFFF)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _read_json(data: bytes, path: str, name: str, opts: ReadOptions) -> Iterator[Document | Skipped]:
    text, enc = decode_bytes(data)
    stem = PurePosixPath(name).stem
    dec = json.JSONDecoder()
    i = _skip_ws(text, 0)
    if text.startswith("[", i):  # (a file with no surrogate escape spares checking every record's strings)
        yield from _json_array(text, i, dec, path, stem, opts, enc, _SURROGATE_ESCAPE.search(text) is not None)
        return
    try:
        obj, end = dec.raw_decode(text, i)
    except json.JSONDecodeError as exc:
        raise ReadError(f"not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from exc
    if _skip_ws(text, end) < len(text):  # more values follow: JSON Lines saved as .json
        yield from _jsonl_lines(enumerate(text.splitlines(), 1), path, stem, opts, enc)
        return
    if isinstance(obj, dict):
        for key in ("articles", "documents", "data", "items", "records"):
            if isinstance(obj.get(key), list) and _lookup(obj, opts.fields["text"]) is None:
                for k, rec in enumerate(obj[key], 1):
                    yield record_document(rec, opts, path, f"record {k} of {key!r}", f"{stem}-{k}", enc)
                return
        yield record_document(obj, opts, path, "record 1", stem, enc)
    else:
        raise ReadError(f"expected a JSON object or an array of objects, got {type(obj).__name__}")


def _skip_ws(text: str, i: int) -> int:
    n = len(text)
    while i < n and text[i] in " \t\r\n":
        i += 1
    return i


def _json_array(text: str, i: int, dec: json.JSONDecoder, path: str, stem: str, opts: ReadOptions,
                enc: str, surrogates: bool = True) -> Iterator[Document | Skipped]:
    """Records of a JSON array one by one, so records before a syntax error are kept."""
    i += 1
    k = 0
    line, pos = 1, 0
    while True:
        i = _skip_ws(text, i)
        if text.startswith("]", i):
            return
        k += 1
        line += text.count("\n", pos, i)
        pos = i
        try:
            obj, i = dec.raw_decode(text, i)
        except json.JSONDecodeError as exc:
            yield Skipped(path, f"record {k} (line {line}) to the end",
                          f"not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}); "
                          f"the records after it cannot be located")
            return
        yield record_document(obj, opts, path, f"record {k} (line {line})", f"{stem}-{k}", enc, surrogates)
        i = _skip_ws(text, i)
        if text.startswith(",", i):
            i += 1
        elif not text.startswith("]", i):
            line += text.count("\n", pos, i)
            yield Skipped(path, f"after record {k} (line {line})",
                          "not valid JSON (expected ',' or ']'); the records after it cannot be located")
            return


def _jsonl_lines(lines: Iterable[tuple[int, str | None]], path: str, stem: str, opts: ReadOptions,
                 enc: str) -> Iterator[Document | Skipped]:
    dec = json.JSONDecoder()
    for n, line in lines:
        if line is None or not line.strip():
            continue
        where = f"line {n}"
        try:
            obj = dec.decode(line)
        except json.JSONDecodeError as exc:
            yield Skipped(path, where, f"not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        yield record_document(obj, opts, path, where, f"{stem}-{n}", enc)


def _read_jsonl_stream(stream, path: str, name: str, opts: ReadOptions) -> Iterator[Document | Skipped]:
    skips: list[Skipped] = []
    enc, lines = _text_lines(stream, path, opts, skips)
    for item in _jsonl_lines(lines, path, PurePosixPath(name).stem, opts, enc):
        yield from _drain(skips)
        yield item
    yield from _drain(skips)


def _drain(skips: list[Skipped]) -> Iterator[Skipped]:
    while skips:
        yield skips.pop(0)


def _read_csv_stream(stream, path: str, name: str, opts: ReadOptions) -> Iterator[Document | Skipped]:
    skips: list[Skipped] = []
    enc, lines = _text_lines(stream, path, opts, skips)
    stem = PurePosixPath(name).stem
    numbered = iter(lines)
    current = [0]

    def feed():
        for n, line in numbered:
            current[0] = n
            yield "\n" if line is None else line + "\n"

    src = feed()
    first = next(src, None)
    yield from _drain(skips)
    if first is None or not first.strip():
        raise ReadError("empty file" if first is None else "the first line (the header) is empty")
    delim = "\t" if name.lower().endswith(".tsv") or ("\t" in first and "," not in first) else \
        (";" if first.count(";") > first.count(",") else ",")
    csv.field_size_limit(max(opts.max_record_bytes, 131072))
    header = next(csv.reader([first], delimiter=delim))
    header = [h.strip() for h in header]
    names = opts.fields["text"]
    if _lookup({h: h for h in header}, names) is None:  # no row can have one: the file is the bad item, once
        raise ReadError(f"no text field in the header ({', '.join(header)}): no row read (looked for "
                        f"{', '.join(names)}; use --field text=NAME)")
    reader = csv.reader(src, delimiter=delim, strict=True)
    last_end = current[0]
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield from _drain(skips)
            yield Skipped(path, _lines(last_end + 1, current[0]), f"malformed CSV ({exc})")
            last_end = current[0]
            continue
        yield from _drain(skips)
        start, last_end = last_end + 1, current[0]
        where = _lines(start, last_end)
        if not row or not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            yield Skipped(path, where, f"{len(row)} fields where the header has {len(header)}")
            continue
        yield record_document(dict(zip(header, row)), opts, path, where, f"{stem}-{start}", enc)
    yield from _drain(skips)


def _lines(a: int, b: int) -> str:
    return f"line {a}" if a >= b else f"lines {a}-{b}"


_WHOLE_READERS: dict[str, Callable] = {}
_STREAM_READERS: dict[str, Callable] = {}
for _s in TEXT_SUFFIXES:
    _WHOLE_READERS[_s] = _read_txt
for _s in JSON_SUFFIXES:
    _WHOLE_READERS[_s] = _read_json
for _s in XML_SUFFIXES:
    _WHOLE_READERS[_s] = _read_xml
for _s in JSONL_SUFFIXES:
    _STREAM_READERS[_s] = _read_jsonl_stream
for _s in CSV_SUFFIXES:
    _STREAM_READERS[_s] = _read_csv_stream


def _suffix(name: str) -> str:
    return PurePosixPath(name).suffix.lower()


def read_stream(open_stream: Callable, path: str, name: str, size: int | None, opts: ReadOptions,
                depth: int = 0) -> Iterator[Document | Skipped]:
    """Items of one file or archive member; ``open_stream()`` gives a binary stream of its bytes."""
    suffix = _suffix(name)
    try:
        if suffix == ".gz":
            inner = name[:-3]
            if _suffix(inner) not in READABLE_SUFFIXES:
                inner += ".txt"
            yield from _guard(lambda: read_stream(lambda: _Gunzip(open_stream()), path, inner, None, opts,
                                                  depth + 1), path)
            return
        if suffix == ".zip":
            yield from _read_zip(open_stream, path, opts, depth)
            return
        if suffix in _STREAM_READERS:
            with open_stream() as fh:
                yield from _STREAM_READERS[suffix](fh, path, name, opts)
            return
        if suffix not in _WHOLE_READERS:
            yield Skipped(path, "file", f"not a format framing reads ({suffix or 'no suffix'})")
            return
        if size is not None and size > opts.max_file_bytes:
            raise ReadError(f"{size:,} bytes is larger than the limit of {opts.max_file_bytes:,} for one "
                            f"{suffix} file; split it, or use JSON Lines")
        with open_stream() as fh:
            data = fh.read(opts.max_file_bytes + 1)
        if len(data) > opts.max_file_bytes:
            raise ReadError(f"larger than the limit of {opts.max_file_bytes:,} bytes for one {suffix} file")
        yield from _WHOLE_READERS[suffix](data, path, name, opts)
    except ReadError as exc:
        yield Skipped(path, "file", str(exc))
    except (OSError, EOFError, zipfile.BadZipFile, gzip.BadGzipFile) as exc:
        yield Skipped(path, "file", f"cannot read: {exc}")


class _Gunzip(gzip.GzipFile):
    """A gzip stream that also closes the file it reads."""

    def __init__(self, raw):
        super().__init__(fileobj=raw, mode="rb")
        self._raw = raw

    def close(self):
        try:
            super().close()
        finally:
            self._raw.close()


def _guard(make: Callable[[], Iterator], path: str) -> Iterator[Document | Skipped]:
    try:
        yield from make()
    except (OSError, EOFError, gzip.BadGzipFile, zipfile.BadZipFile) as exc:
        yield Skipped(path, "file", f"corrupt compressed data: {exc}")


def _read_zip(open_stream: Callable, path: str, opts: ReadOptions, depth: int) -> Iterator[Document | Skipped]:
    if depth >= MAX_ARCHIVE_DEPTH:
        yield Skipped(path, "file", f"archives nested deeper than {MAX_ARCHIVE_DEPTH} levels")
        return
    with open_stream() as raw:
        fh = raw if raw.seekable() else io.BytesIO(raw.read())
        with zipfile.ZipFile(fh) as zf:
            for info in sorted(zf.infolist(), key=lambda i: i.filename):
                member = info.filename
                base = PurePosixPath(member).name
                if info.is_dir() or base.startswith(".") or member.startswith("__MACOSX/"):
                    continue
                mpath = f"{path}!{member}"
                if _suffix(member) not in READABLE_SUFFIXES:
                    yield Skipped(mpath, "file", f"not a format framing reads ({_suffix(member) or 'no suffix'})")
                    continue
                yield from _guard(lambda info=info, mpath=mpath, member=member: read_stream(
                    lambda: zf.open(info), mpath, member, info.file_size, opts, depth + 1), mpath)


# --------------------------------------------------------------------------- files and folders


@dataclass
class InputFile:
    path: Path
    size: int


def list_inputs(paths: Iterable[str | Path]) -> tuple[list[InputFile], list[str]]:
    """Readable files under ``paths`` (folders recursively, sorted), and the files ignored there.

    A file named explicitly is always read (and skipped with a reason if its format is unknown);
    in folders, hidden files and files of other formats (README.md, LICENSE …) are ignored and listed.
    """
    files: list[InputFile] = []
    ignored: list[str] = []
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if not f.is_file():
                    continue
                rel = f.relative_to(p).parts
                if any(part.startswith(".") for part in rel):
                    continue
                if f.suffix.lower() in READABLE_SUFFIXES:
                    files.append(InputFile(f, f.stat().st_size))
                else:
                    ignored.append(str(f))
        elif p.exists():
            files.append(InputFile(p, p.stat().st_size))
        else:
            raise FileNotFoundError(f"no such file or folder: {p}")
    return files, ignored


def read_inputs(paths: Iterable[str | Path] | list[InputFile], options: ReadOptions | None = None,
                on_file: Callable[[InputFile], None] | None = None) -> Iterator[Document | Skipped]:
    """Documents from files and folders, in a stable order; unreadable items come out as :class:`Skipped`.

    ``on_file`` is called after each input file has been read completely (for progress).
    """
    opts = options or ReadOptions()
    paths = list(paths)
    files = paths if paths and all(isinstance(p, InputFile) for p in paths) else list_inputs(paths)[0]
    for f in files:
        p = f.path
        yield from read_stream(lambda p=p: open(p, "rb"), str(p), p.name, f.size, opts)
        if on_file:
            on_file(f)
