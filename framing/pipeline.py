"""Corpus runs: documents stream through in shards, scored in worker processes or on a dask cluster.

``run_corpus(paths, output)`` is what ``framing analyze`` does:

1. the readers (:mod:`framing.readers`) turn files into documents, in a fixed
   order, and cut them into shards of about :data:`SHARD_DOCS` documents;
2. each shard is scored by :func:`framing.api.score_batch` — in this process
   (``jobs=1``), in ``jobs`` worker processes, or as dask tasks
   (``engine="dask"``) — and comes back as bytes (Parquet, and Arrow for its articles);
3. this process writes each finished shard as ``sentences/part-NNNNN.parquet``,
   ``hits/part-NNNNN.parquet`` and a raw article table under ``_work/`` (an Arrow
   file: read once more, at the end, not kept as a result), then a
   small manifest that marks the shard done (``--resume`` skips such shards);
4. when every shard is done, the articles get ``duplicate_of`` (near-duplicate
   detection, :mod:`framing.dedup`), ``--drop-duplicates`` removes them from
   all tables, and the run's profile and counts are aggregated from the
   Parquet parts, never from rows held in memory.

At most ``2 × jobs + 1`` shards are in flight, so memory does not grow with the
corpus. Shards are numbered in reading order and every document is scored on
its own, so the tables are the same for any number of jobs or engine.
"""
from __future__ import annotations

import csv
import gc
import hashlib
import json
import os
import shutil
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from . import __version__, dedup
from .aggregate import HIT_COLUMNS, LABEL_KEYS, SCORE_KEYS, SENTENCE_COLUMNS, Columns, FrameProfile, article_flags
from .corpus import Document, Skipped, UniqueIds
from .lexicon import FRAMES, Lexicon
from .readers import InputFile, ReadOptions, OutletMap, list_inputs, parse_field_specs, read_inputs
from .results import SUMMARY, _atomic_write, _write_json, part_files
from .score import LexiconScorer
from .text import TextBatch, normalize

WORK = "_work"
TABLES = ("sentences", "articles", "hits")
SHARD_DOCS = 256
SHARD_BYTES = 2 * 2**20          # text bytes: a shard is cut at whichever comes first
CSV_MAX_SENTENCES = 100_000      # auto CSV: also write CSV tables when the run has at most this many sentences
PART = "part-{:05d}.parquet"
SKIPPED_COLUMNS = ["path", "location", "reason"]


class RunError(RuntimeError):
    """A corpus run that cannot start or go on (bad settings, a resume that does not match)."""


# --------------------------------------------------------------------------- worker side


@dataclass
class ScoreSpec:
    """What a worker needs to score shards (picklable: sent once to each worker)."""

    scorer: LexiconScorer
    model: object | None = None


@dataclass
class ShardResult:
    index: int
    n_docs: int
    n_sentences: int
    n_hits: int
    text_bytes: int
    parts: dict[str, bytes]  # sentences and hits: Parquet; articles: Arrow IPC (:func:`_arrow_bytes`)
    minhash: bytes
    seconds: float
    fingerprint: str  # of the documents as read (:func:`_fingerprint`), for --resume
    profile: dict  # the shard's frame profile counts (:meth:`FrameProfile.to_dict`)


_WORKER: dict[str, ScoreSpec] = {}


# Allocations between the garbage collector's young passes while shards are scored (CPython's default: 700).
# Most of a shard's objects die young; fewer passes walk fewer survivors (about 4 % of a corpus run at 700;
# SaudiNewsNet, one job: 0.14 s in young passes at 10,000, 0.01 s at 100,000).
GC_YOUNG_THRESHOLD = 100_000


def _for_scoring() -> tuple[int, int, int]:
    """Set the collector up for scoring; returns its thresholds as they were."""
    before = gc.get_threshold()
    gc.set_threshold(max(GC_YOUNG_THRESHOLD, before[0]), *before[1:])
    return before


def _init_worker(spec: ScoreSpec) -> None:
    _WORKER["spec"] = spec
    spec.scorer.lexicon.matcher  # build the automaton once per worker
    gc.freeze()  # see SerialEngine
    _for_scoring()


_STR_COLUMNS = frozenset({"doc_id", "text", "voice", "voice_cue", "labels", "hits", "source", "date", "lexicon_voice",
                          "title", "path", "dominant_frame", "encoding", "duplicate_of", "frame", "term",
                          "listed_under", "matched", "rule", "scope", "scope_words"})
_INT_COLUMNS = frozenset({"sentence", "start", "end", "n_sentences", "n_words", "n_hits", "seq"})


def _arrow_type(col: str, values: list) -> pa.DataType:
    if col in _STR_COLUMNS:
        return pa.string()
    if col in _INT_COLUMNS or (col.startswith("n_") and col[2:] in FRAMES):
        return pa.int64()
    if col in ("is_title", "negated", "voice_continues") or col.startswith("label_"):
        return pa.bool_()
    if col.startswith(("score_", "lexicon_", "share_", "intensity_")) or col in ("weight", "arabic_share"):
        return pa.float64()
    for v in values:
        if v is None:
            continue
        if isinstance(v, bool):
            return pa.bool_()
        if isinstance(v, (int, np.integer)):
            return pa.int64()
        if isinstance(v, (float, np.floating)):
            return pa.float64()
        return pa.string()
    return pa.string()


def rows_table(rows: list[dict], columns: list[str] | None = None) -> pa.Table:
    """An Arrow table with stable types (the same for every shard) from row dicts."""
    if columns is None:
        columns = list(rows[0]) if rows else []
    return columns_table({c: [r.get(c) for r in rows] for c in columns})


def columns_table(data: Columns, columns: list[str] | None = None) -> pa.Table:
    """An Arrow table with stable types (the same for every shard) from lists of values (``columns``: which
    and in what order, absent ones empty; default: all of ``data``)."""
    if columns is not None:
        data = {c: data.get(c, []) for c in columns}
    schema = pa.schema([(c, _arrow_type(c, v[:50])) for c, v in data.items()])
    try:
        return pa.table(data, schema=schema)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):  # unusual values: convert column by column
        pass
    schema = pa.schema([(c, _arrow_type(c, v)) for c, v in data.items()])
    arrays = []
    for c, vals in data.items():
        t = schema.field(c).type
        if t == pa.string():
            vals = [None if v is None or (isinstance(v, float) and v != v) else str(v) for v in vals]
        arrays.append(pa.array(vals, type=t))
    return pa.Table.from_arrays(arrays, schema=schema)


def _arrow_bytes(table: pa.Table) -> bytes:
    """An uncompressed Arrow IPC file: a table that only this run reads back (a Parquet writer's work per
    column, compression above all, is wasted there)."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _read_arrow(path: Path) -> pa.Table:
    return pa.ipc.open_file(pa.py_buffer(path.read_bytes())).read_all()


_FREE_TEXT = {"text", "hits", "matched", "title"}  # columns whose values seldom repeat: no dictionary tried


def _parquet_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd", compression_level=1,
                   use_dictionary=[c for c in table.column_names if c not in _FREE_TEXT])
    return sink.getvalue().to_pybytes()


def score_shard(index: int, docs: list[Document], spec: ScoreSpec | None = None) -> ShardResult:
    """Score one shard: the per-batch unit of work, identical wherever it runs."""
    from .api import score_batch

    t0 = time.perf_counter()
    spec = spec or _WORKER["spec"]
    norms = [normalize(d.text) for d in docs]  # once, for the lexicon and for near-duplicate detection
    text = TextBatch.of([n.text for n in norms])
    b = score_batch(docs, spec.scorer, spec.model, norms, text)
    sentences, hits, articles = b.sentences, b.hits, b.articles
    for row, d in zip(articles, docs):
        row["encoding"] = d.encoding
    parts = {
        "sentences": _parquet_bytes(columns_table(sentences, list(SENTENCE_COLUMNS))),
        "hits": _parquet_bytes(columns_table(hits, list(HIT_COLUMNS))),
        "articles": _arrow_bytes(rows_table(articles)),
    }
    sig = dedup.span_signatures(text.cps, text.word, [[(o + n.position(s), o + n.position(e)) for s, e in d.body_spans]
                                                      for d, n, o in zip(docs, norms, text.offsets)])
    fingerprint, n_bytes = _fingerprint(docs)
    return ShardResult(index, len(docs), len(sentences["doc_id"]), len(hits["doc_id"]), n_bytes, parts, sig.tobytes(),
                       time.perf_counter() - t0, fingerprint, FrameProfile().add(sentences).to_dict())


# --------------------------------------------------------------------------- engines


class _Done:
    """A finished 'future' for work done in this process."""

    def __init__(self, value):
        self._value = value

    def result(self):
        return self._value


class SerialEngine:
    name = "serial"

    def __init__(self, spec: ScoreSpec):
        self.spec = spec
        spec.scorer.lexicon.matcher
        # What is loaded so far (modules, lexicon, model) lives as long as the run: kept out of the garbage
        # collector's full passes, which otherwise walk it again and again (about 5 % of a corpus run)
        self.froze = gc.get_freeze_count() == 0  # (a caller's own freeze is left as it was)
        if self.froze:
            gc.freeze()
        self.gc_thresholds = _for_scoring()

    def submit(self, index: int, docs: list[Document]):
        return _Done(score_shard(index, docs, self.spec))

    def close(self, cancel: bool = False) -> None:
        if self.froze:
            gc.unfreeze()
        gc.set_threshold(*self.gc_thresholds)


class ProcessEngine:
    """``jobs`` worker processes (forked where the platform allows, so they start in milliseconds)."""

    name = "processes"

    def __init__(self, spec: ScoreSpec, jobs: int):
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        spec.scorer.lexicon.matcher
        methods = mp.get_all_start_methods()
        ctx = mp.get_context("fork" if "fork" in methods else "spawn")
        self.pool = ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker, initargs=(spec,))

    def submit(self, index: int, docs: list[Document]):
        return self.pool.submit(score_shard, index, docs)

    def close(self, cancel: bool = False) -> None:
        self.pool.shutdown(wait=not cancel, cancel_futures=cancel)


class DaskEngine:
    """The same shards as dask.distributed tasks: on the cluster at ``scheduler`` (``tcp://host:8786``),
    or on a local cluster of ``jobs`` single-threaded worker processes when no address is given."""

    name = "dask"

    def __init__(self, spec: ScoreSpec, jobs: int, scheduler: str | None):
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - distributed is a dependency
            raise RunError("--engine dask needs the 'distributed' package (pip install distributed)") from exc
        self.cluster = None
        if scheduler:
            self.client = Client(scheduler, timeout="30s")
        else:
            self.cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None)
            self.client = Client(self.cluster)
        self.spec = self.client.scatter(spec, broadcast=True)
        self.run_id = hashlib.sha1(f"{os.getpid()}-{time.time()}".encode()).hexdigest()[:8]

    def submit(self, index: int, docs: list[Document]):
        return self.client.submit(score_shard, index, docs, self.spec, key=f"framing-shard-{self.run_id}-{index}",
                                  pure=False, retries=1)

    def close(self, cancel: bool = False) -> None:
        try:
            self.client.close()
        finally:
            if self.cluster is not None:
                self.cluster.close()


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


# --------------------------------------------------------------------------- files


def atomic_write_bytes(path: Path, data: bytes) -> None:
    _atomic_write(path, lambda fh: fh.write(data), None)


def atomic_write_table(path: Path, table: pa.Table) -> None:
    atomic_write_bytes(path, _parquet_bytes(table))


def _fingerprint(docs: list[Document]) -> tuple[str, int]:
    """A digest of the documents as read, and the UTF-8 bytes of their texts."""
    h = hashlib.blake2b(digest_size=16)
    n_bytes = 0
    for d in docs:
        text = _utf8(d.text)
        n_bytes += len(text)
        for b in (_utf8(d.id), text, *(_utf8(v or "") for v in (d.title, d.date, d.source, d.path, d.encoding))):
            h.update(b)
            h.update(b"\x00")
    return h.hexdigest(), n_bytes


def _utf8(s: str) -> bytes:
    return s.encode("utf-8", "surrogatepass")


def _sha256_file(path: str | Path | None) -> str | None:
    if not path or not Path(path).exists():
        return None
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# --------------------------------------------------------------------------- the run


@dataclass
class CorpusRun:
    """What a corpus run leaves behind: its folder, summary, frame profile and (some) skipped items."""

    output: Path
    summary: dict
    frame_profile: pd.DataFrame
    skipped: list[dict] = field(default_factory=list)

    @property
    def counts(self) -> dict:
        return self.summary["counts"]

    def profile(self) -> pd.DataFrame:
        """Frame profile of the whole run (as :meth:`framing.Results.profile`)."""
        return self.frame_profile

    def load(self):
        """The tables as DataFrames (:func:`framing.load`; mind the memory on a large corpus)."""
        from .results import load

        return load(self.output)


@dataclass
class _Shard:
    index: int
    first_seq: int
    docs: list[Document]
    bytes_read: int


class _Progress:
    """A rich progress bar (documents/s, MB/s, ETA) on an interactive terminal; silent otherwise."""

    def __init__(self, total_bytes: int, enabled: bool | None):
        from rich.console import Console

        console = Console(stderr=True)
        self.enabled = console.is_terminal if enabled is None else enabled
        self.docs = 0
        self.text = 0
        self.bar = None
        if self.enabled:
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

            self.bar = Progress(TextColumn("[bold]scoring[/]"), BarColumn(),
                                TextColumn("{task.fields[docs]:,} docs · {task.fields[rate]:,.0f} docs/s · "
                                           "{task.fields[mbs]:.1f} MB/s"),
                                TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                                console=console, transient=False)
            self.task = self.bar.add_task("scoring", total=max(1, total_bytes), docs=0, rate=0.0, mbs=0.0)
            self.bar.start()
        self.t0 = time.perf_counter()

    def update(self, docs: int, bytes_done: int, text_bytes: int = 0) -> None:
        """``bytes_done``: input files read (the bar and ETA); ``text_bytes``: article text scored (MB/s)."""
        self.docs += docs
        self.text += text_bytes
        if self.bar is not None:
            dt = max(1e-6, time.perf_counter() - self.t0)
            self.bar.update(self.task, completed=bytes_done, docs=self.docs, rate=self.docs / dt,
                            mbs=self.text / dt / 1e6)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def run_corpus(
    paths: Iterable[str | Path],
    output: str | Path,
    *,
    lexicon: str | Path | Lexicon | None = None,
    model=None,
    thresholds: dict[str, float] | None = None,
    jobs: int | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    resume: bool = False,
    drop_duplicates: bool = False,
    dup_threshold: float = dedup.THRESHOLD,
    fields: Iterable[str] | dict | None = None,
    outlets: str | Path | None = None,
    write_csv: bool | None = None,
    bom: bool = True,
    progress: bool | None = None,
    shard_docs: int = SHARD_DOCS,
    shard_bytes: int = SHARD_BYTES,
    scope_rule: bool = True,
    on_skip: Callable[[Skipped], None] | None = None,
    _stop_after: int | None = None,
) -> CorpusRun:
    """Analyze a corpus into ``output`` (Parquet parts, plus CSV for small runs) and return its summary.

    ``jobs``: worker processes (default: all cores; 1 scores in this process). ``engine``: ``"local"`` or
    ``"dask"`` (``scheduler``: a dask.distributed address; none starts a local cluster of ``jobs`` workers).
    ``resume``: keep the shards an earlier, interrupted run of the same inputs and settings finished.
    ``scope_rule``: ``False`` leaves every article open to every frame (codebook P22 not applied).
    ``write_csv``: ``None`` writes CSV tables too when the run has at most :data:`CSV_MAX_SENTENCES` sentences.
    """
    from .api import resolve_model, scorer as make_scorer

    t_start = time.perf_counter()
    output = Path(output)
    jobs = default_jobs() if not jobs or jobs < 1 else jobs
    if engine not in ("local", "dask"):
        raise RunError(f"unknown engine {engine!r} (local or dask)")
    if scheduler and engine != "dask":
        raise RunError("--scheduler needs --engine dask")
    try:
        field_map = parse_field_specs(fields)
    except ValueError as exc:
        raise RunError(str(exc)) from exc
    outlet_map = OutletMap.load(outlets) if outlets else None
    opts = ReadOptions(fields=field_map, outlets=outlet_map)
    sc = make_scorer(lexicon, thresholds, scope_rule)
    t_model = time.perf_counter()
    mdl = resolve_model(model)
    model_seconds = time.perf_counter() - t_model
    spec = ScoreSpec(sc, mdl)
    files, ignored = list_inputs(paths)
    total_bytes = sum(f.size for f in files)

    config = {
        "format": "framing-corpus-run/1", "software": __version__,
        "inputs": [[str(f.path.resolve()), f.size, int(f.path.stat().st_mtime)] for f in files],
        "lexicon_sha256": sc.lexicon.sha256,
        "thresholds": sc.thresholds, "scope_rule": sc.checks_scope, "model": (mdl.meta.get("files") if mdl else None),
        "fields": {k: list(v) for k, v in field_map.items()},
        "outlets_sha256": _sha256_file(outlets) or _sha256_file(opts.outlets.path),
        "shard_docs": shard_docs, "shard_bytes": shard_bytes,
        "drop_duplicates": drop_duplicates, "dup_threshold": dup_threshold, "signatures": dedup.SCHEME,
    }
    work = output / WORK
    _prepare(output, config, resume)

    skipped_path = work / "skipped.partial.csv"
    skipped_fh = open(skipped_path, "w", encoding="utf-8", newline="")
    skipped_csv = csv.writer(skipped_fh)
    skipped_csv.writerow(SKIPPED_COLUMNS)
    first_skipped: list[dict] = []
    n_skipped = 0
    reasons: Counter = Counter()

    state = {"bytes_read": 0}

    def file_done(f: InputFile) -> None:
        state["bytes_read"] += f.size

    unique = UniqueIds()

    def shards() -> Iterator[_Shard]:
        nonlocal n_skipped
        docs: list[Document] = []
        size = 0
        index = seq = 0
        for item in read_inputs(files, opts, on_file=file_done):
            if isinstance(item, Skipped):
                skipped_csv.writerow([item.path, item.location, item.reason])
                n_skipped += 1
                reasons[_reason_kind(item.reason)] += 1
                if len(first_skipped) < 50:
                    first_skipped.append({"path": item.path, "location": item.location, "reason": item.reason})
                if on_skip:
                    on_skip(item)
                continue
            docs.append(unique(item))
            size += len(item.text)
            if len(docs) >= shard_docs or size * 2 >= shard_bytes:
                yield _Shard(index, seq, docs, state["bytes_read"])
                index += 1
                seq += len(docs)
                docs, size = [], 0
        if docs:
            yield _Shard(index, seq, docs, state["bytes_read"])

    bar = _Progress(total_bytes, progress)
    manifests: list[dict] = []
    eng = None
    pending: deque = deque()
    max_inflight = 2 * jobs + 1
    scored_shards = 0
    interrupted = True
    try:
        stream = shards()
        lookahead = next(stream, None)
        second = next(stream, None)
        queue = [s for s in (lookahead, second) if s is not None]

        def all_shards():
            yield from queue
            yield from stream

        parallel = second is not None
        for shard in all_shards():
            done = _manifest(work, shard) if resume else None
            if done is not None:
                manifests.append(done)
                bar.update(done["n_docs"], shard.bytes_read, done["text_bytes"])
                continue
            if eng is None:
                eng = _engine(spec, jobs if parallel else 1, engine, scheduler)
            pending.append((shard, eng.submit(shard.index, shard.docs)))
            shard.docs = []  # the engine holds them now
            while len(pending) >= (max_inflight if eng.name != "serial" else 1):
                manifests.append(_collect(work, output, *pending.popleft(), bar))
                scored_shards += 1
                if _stop_after is not None and scored_shards >= _stop_after:
                    raise KeyboardInterrupt
        while pending:
            manifests.append(_collect(work, output, *pending.popleft(), bar))
            scored_shards += 1
            if _stop_after is not None and scored_shards >= _stop_after:
                raise KeyboardInterrupt
        interrupted = False
    finally:
        bar.close()
        skipped_fh.close()
        if eng is not None:
            eng.close(cancel=interrupted)
    summary, profile = _finalize(output, manifests, sc, mdl, config, skipped_path, n_skipped, reasons, ignored,
                                 drop_duplicates, dup_threshold, write_csv, bom)
    summary["counts"]["renamed_ids"] = unique.renamed
    seconds = time.perf_counter() - t_start
    text_bytes = sum(m["text_bytes"] for m in manifests)
    summary["run"] = {
        "engine": eng.name if eng is not None else "none", "jobs": jobs if eng is not None and eng.name != "serial" else 1,
        "scheduler": scheduler, "shards": len(manifests), "shards_scored": scored_shards,
        "shards_resumed": len(manifests) - scored_shards, "seconds": round(seconds, 2),
        "model_load_seconds": round(model_seconds, 2),
        "input_bytes": total_bytes, "text_bytes": text_bytes,
        "documents_per_second": round(summary["counts"]["documents_read"] / seconds, 1) if seconds else None,
        "text_mb_per_second": round(text_bytes / 1e6 / seconds, 2) if seconds else None,
    }
    _write_json(output / SUMMARY, summary)
    return CorpusRun(output, summary, profile, first_skipped)


def _engine(spec: ScoreSpec, jobs: int, engine: str, scheduler: str | None):
    if engine == "dask":
        return DaskEngine(spec, jobs, scheduler)
    if jobs <= 1:
        return SerialEngine(spec)
    return ProcessEngine(spec, jobs)


def _reason_kind(reason: str) -> str:
    """A short class of skip reason for the summary's counts (the full reason is in skipped.csv)."""
    for key in ("empty text", "no text field", "empty file", "binary", "not valid UTF-8", "not valid UTF-16",
                "not valid JSON", "malformed CSV", "fields where the header", "longer than the limit",
                "characters (limit", "has no text", "not a format", "not closed", "corrupt", "cannot read",
                "larger than the limit", "undecodable", "not text", "lone UTF-16 surrogate"):
        if key in reason:
            return key
    return reason.split(" (")[0][:60]


def _prepare(output: Path, config: dict, resume: bool) -> None:
    """Create the folder; on resume check the settings match, otherwise clear an earlier run's tables."""
    output.mkdir(parents=True, exist_ok=True)
    work = output / WORK
    run_file = work / "run.json"
    if resume and run_file.exists():
        old = json.loads(run_file.read_text(encoding="utf-8"))
        diff = [k for k in config if k != "software" and old.get(k) != config[k]]
        if diff:
            raise RunError(f"cannot resume {output}: the inputs or settings changed ({', '.join(diff)}); "
                           f"run again without --resume to start over")
    else:
        for name in TABLES:
            if (output / name).is_dir():
                shutil.rmtree(output / name)
        if work.is_dir():
            shutil.rmtree(work)
        for name in ("sentences.csv", "articles.csv", "hits.csv"):
            (output / name).unlink(missing_ok=True)
    (output / "summary.json").unlink(missing_ok=True)  # a folder without summary.json is an unfinished run
    work.mkdir(exist_ok=True)
    for name in TABLES:
        (output / name).mkdir(exist_ok=True)
    _write_json(run_file, config)


def _manifest(work: Path, shard: _Shard) -> dict | None:
    path = work / f"shard-{shard.index:05d}.json"
    if not path.exists():
        return None
    try:
        m = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    # (the fingerprint is taken here only when resuming; otherwise the shard's worker takes it)
    if m.get("fingerprint") != _fingerprint(shard.docs)[0] or m.get("first_seq") != shard.first_seq:
        return None
    out = work.parent
    needed = [out / "sentences" / PART.format(shard.index), out / "hits" / PART.format(shard.index),
              work / f"articles-{shard.index:05d}.arrow", work / f"minhash-{shard.index:05d}.npy"]
    return m if all(p.exists() for p in needed) else None


def _collect(work: Path, output: Path, shard: _Shard, future, bar: _Progress) -> dict:
    """Write a finished shard's parts, then its manifest (the mark that it is done)."""
    res: ShardResult = future.result()
    k = shard.index
    atomic_write_bytes(output / "sentences" / PART.format(k), res.parts["sentences"])
    atomic_write_bytes(output / "hits" / PART.format(k), res.parts["hits"])
    atomic_write_bytes(work / f"articles-{k:05d}.arrow", res.parts["articles"])
    sig = np.frombuffer(res.minhash, dtype=np.uint32).reshape(res.n_docs, dedup.NUM_PERM)
    buf = _npy_bytes(sig)
    atomic_write_bytes(work / f"minhash-{k:05d}.npy", buf)
    m = {"index": k, "first_seq": shard.first_seq, "fingerprint": res.fingerprint, "n_docs": res.n_docs,
         "n_sentences": res.n_sentences, "n_hits": res.n_hits, "text_bytes": res.text_bytes,
         "seconds": round(res.seconds, 3), "profile": res.profile}
    _write_json(work / f"shard-{k:05d}.json", m)
    bar.update(res.n_docs, shard.bytes_read, res.text_bytes)
    return m


def _npy_bytes(arr: np.ndarray) -> bytes:
    import io

    buf = io.BytesIO()
    np.save(buf, arr)
    return buf.getvalue()


# --------------------------------------------------------------------------- finishing: duplicates, aggregates


def _finalize(output: Path, manifests: list[dict], sc: LexiconScorer, mdl, config: dict, skipped_path: Path,
              n_skipped: int, reasons: Counter, ignored: list[str], drop: bool, threshold: float,
              write_csv: bool | None, bom: bool) -> tuple[dict, pd.DataFrame]:
    from .api import run_record_from

    work = output / WORK
    manifests = sorted(manifests, key=lambda m: m["index"])
    n_shards = len(manifests)
    for name in TABLES:  # parts of shards an earlier, longer run left behind
        for p in part_files(output, name):
            if int(p.stem.split("-")[1]) >= n_shards:
                p.unlink()
    for p in list(work.glob("shard-*.json")) + list(work.glob("articles-*.arrow")) + list(work.glob("minhash-*.npy")):
        if int(p.stem.split("-")[1].split(".")[0]) >= n_shards:
            p.unlink()
    for p in work.glob("articles-*.parquet"):  # an older version's raw article tables
        p.unlink()

    roots = dedup.find_duplicates([(m["index"], m["first_seq"]) for m in manifests],
                                  lambda k: np.load(work / f"minhash-{k:05d}.npy"), threshold)
    # a root is always an earlier article than its copies (find_duplicates), so its shard comes first or is the same
    wanted = set(roots.values())
    root_ids: dict[int, str] = {}
    counts = Counter()
    encodings: Counter = Counter()
    prof = FrameProfile()
    n_docs = n_hits = 0
    for m in manifests:
        k, lo = m["index"], m["first_seq"]
        art = _read_arrow(work / f"articles-{k:05d}.arrow")
        seqs = range(lo, lo + art.num_rows)
        if wanted:
            ids = art.column("doc_id").to_pylist()
            root_ids.update({s: ids[s - lo] for s in seqs if s in wanted})
        dup = [root_ids[roots[s]] if s in roots else None for s in seqs]
        art = art.append_column("duplicate_of", pa.array(dup, type=pa.string()))
        counts["documents_read"] += art.num_rows
        counts["duplicates"] += sum(d is not None for d in dup)
        shard_hits = m["n_hits"]
        filtered = drop and any(d is not None for d in dup)
        if filtered:
            keep = np.array([d is None for d in dup])
            per_doc = np.asarray(art.column("n_sentences").to_pylist(), dtype=np.int64)
            per_doc_hits = np.asarray(art.column("n_hits").to_pylist(), dtype=np.int64)
            _filter_part(output / "sentences" / PART.format(k), np.repeat(keep, per_doc), per_doc.sum())
            _filter_part(output / "hits" / PART.format(k), np.repeat(keep, per_doc_hits), per_doc_hits.sum())
            art = art.filter(pa.array(keep))
            shard_hits = int(per_doc_hits[keep].sum())
        if "profile" in m and not filtered:  # counted by the shard's worker
            prof.merge(FrameProfile.from_dict(m["profile"]))
        else:  # the part as filtered, or a shard finished by an older version
            prof.add(_profile_columns(output / "sentences" / PART.format(k)))
        n_docs += art.num_rows
        n_hits += shard_hits
        for e, c in Counter(art.column("encoding").to_pylist()).items():
            encodings[str(e)] += c
        # (parts written by an older version may lack these columns: they count nothing then)
        counts.update(article_flags({c: art.column(c).to_pylist() for c in ("arabic_share", "scope")
                                     if c in art.column_names}))
        atomic_write_table(output / "articles" / PART.format(k), art)

    profile, voices, n_sent = prof.table(), {str(k): int(v) for k, v in prof.voices.most_common()}, prof.n

    csv_written = write_csv if write_csv is not None else n_sent <= CSV_MAX_SENTENCES
    # skipped.csv, and CSV tables for small runs
    skipped = pd.read_csv(skipped_path, encoding="utf-8", keep_default_na=False, dtype=str)
    from .results import Results

    enc = "utf-8-sig" if bom else "utf-8"
    _atomic_write(output / "skipped.csv", lambda fh: skipped.to_csv(fh, index=False), enc)
    if csv_written:
        res = Results(*(read_table(output, t) for t in ("sentences", "articles", "hits")), skipped)
        for name in TABLES:
            df = getattr(res, name)
            _atomic_write(output / f"{name}.csv", lambda fh, df=df: df.to_csv(fh, index=False), enc)
    else:
        for name in TABLES:
            (output / f"{name}.csv").unlink(missing_ok=True)

    summary = run_record_from(sc, mdl, profile, {"documents": n_docs, "sentences": n_sent, "hits": n_hits,
                                                 "skipped": n_skipped}, voices)
    summary["counts"].update({
        "documents_read": counts["documents_read"], "duplicates": counts["duplicates"],
        "duplicates_dropped": counts["duplicates"] if drop else 0, "ignored_files": len(ignored),
        **{k: counts[k] for k in article_flags({})},
    })
    summary["skipped_by_reason"] = dict(reasons.most_common())
    summary["ignored_files"] = ignored[:100]
    summary["encodings"] = dict(encodings.most_common())
    summary["duplicates"] = {"method": f"one-permutation MinHash ({dedup.NUM_PERM} bins, {dedup.SHINGLE}-character "
                                       f"shingles) with LSH ({dedup.BANDS} bands)",
                             "threshold": threshold, "dropped": drop}
    summary["tables"] = {"parquet": [f"{t}/" for t in TABLES], "csv": [f"{t}.csv" for t in TABLES] if csv_written else [],
                         "skipped": "skipped.csv"}
    return summary, profile


def _filter_part(path: Path, keep: np.ndarray, expected: int) -> None:
    table = pq.read_table(path)
    if table.num_rows != expected:  # already filtered by an earlier, interrupted finish
        return
    atomic_write_table(path, table.filter(pa.array(keep)))


def _profile_columns(part: Path) -> dict[str, np.ndarray]:
    """The columns of a sentences part that :meth:`FrameProfile.add` reads."""
    cols = [*LABEL_KEYS, *SCORE_KEYS, "voice"]
    table = pq.read_table(part, columns=cols)
    return {c: table.column(c).to_numpy() for c in cols}


def read_table(folder: str | Path, name: str, columns: list[str] | None = None) -> pd.DataFrame:
    """One table of a results folder from its Parquet parts (in shard order), as a DataFrame."""
    parts = part_files(Path(folder), name)
    if not parts:
        return pd.DataFrame(columns=columns or _table_columns(name))
    tables = [pq.read_table(p, columns=columns) for p in parts]
    tables = [t for t in tables if t.num_rows] or tables[:1]
    return pa.concat_tables(tables, promote_options="default").to_pandas()


def _table_columns(name: str) -> list[str]:
    """The columns of an empty table (a run where every input was skipped)."""
    from .aggregate import article_row

    if name == "sentences":
        return list(SENTENCE_COLUMNS)
    if name == "hits":
        return list(HIT_COLUMNS)
    if name == "articles":
        return list(article_row(Document("", ""), {}, range(0), 0, 0.0)) + ["n_hits", "scope", "scope_words", "encoding", "duplicate_of"]
    return []
