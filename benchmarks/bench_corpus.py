"""Corpus benchmark: the full ``framing analyze`` pipeline against a naive baseline, side by side.

    python benchmarks/bench_corpus.py                 # everything below, results in benchmarks/RESULTS.md
    python benchmarks/bench_corpus.py --runs full:1:1,lexicon:1:2 --no-naive   # a subset
    python benchmarks/bench_corpus.py --rounds 2      # every run twice, in turn: each row keeps its faster

Corpus: ``../shared/corpus/saudinewsnet/dataset`` (31,030 articles, ~100 MB of text in 18 zips of
JSON arrays) when it is there, otherwise a generated corpus of the same size and format (``--generate``
forces it). "4x" is the same zips read four times (symlinks in a temporary folder).

Measured, each in a fresh process:

- ``full``: ``framing analyze CORPUS -o TMP --no-report --no-csv`` — readers, lexicon, cues, rules,
  the bundled classifier when it is installed (otherwise this row is lexicon-only, and says so),
  near-duplicate detection, Parquet output and aggregation; reports excluded;
- ``lexicon``: the same with ``--lexicon-only``;
- ``naive``: what an analyst might write in an afternoon (below, :func:`naive`): one ``re``
  alternation per frame over the lexicon's terms, sentences split with a regex, and a TF-IDF
  logistic regression trained on the gold sentences, predicting every sentence.

Ceilings, on request only (``--runs lexicon-norules:1:1,…``): ``lexicon`` or ``full`` with a stage made
free, to show what the pipeline could reach if that stage cost nothing. Their output is wrong by
construction; they only measure.

- ``…-norules``: every sentence scored as if the lexicon had found nothing in it (the per-sentence
  rules, voice attribution and hits skipped; the automaton still runs);
- ``…-nolexicon``: the automaton skipped as well (:data:`FREE_STAGES`).

Reported: wall time, MB/s of article text (UTF-8 bytes of title + body), MB/s per core used,
sentences/s, CPU seconds (process and children), and peak RSS — the largest sum over the process
tree (sampled every 0.1 s; forked workers share pages, so the sum overstates) and the largest single
process. The machine and its load average are written with the results: other work on the machine
slows the wall-clock figures, CPU seconds less so.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
SNN = ROOT.parent / "shared" / "corpus" / "saudinewsnet" / "dataset"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
GOLD = ROOT / "data" / "gold" / "gold.jsonl"
LEXICON = ROOT / "lexicons" / "coalition.yaml"

DEFAULT_RUNS = "naive:1:1,lexicon:1:1,lexicon:1:2,full:1:1,full:1:2,lexicon:4:2,full:4:2"


# --------------------------------------------------------------------------- corpus


def corpus_stats(folder: Path) -> tuple[int, int]:
    """(articles, text bytes) of a folder of zips of JSON arrays."""
    n = size = 0
    for z in sorted(folder.glob("*.zip")):
        with zipfile.ZipFile(z) as zf:
            for name in zf.namelist():
                for rec in json.loads(zf.read(name)):
                    n += 1
                    size += len((rec.get("title") or "").encode()) + len((rec.get("content") or "").encode())
    return n, size


def generate(folder: Path, articles: int = 31030, files: int = 18, seed: int = 7) -> None:
    """A corpus shaped like SaudiNewsNet: zips of JSON arrays, ~3.1 KB of Arabic per article."""
    import yaml

    rng = random.Random(seed)
    lex = yaml.safe_load(LEXICON.read_text(encoding="utf-8"))
    terms = [e if isinstance(e, str) else e["term"] for f in lex["frames"].values() for e in f["entries"]]
    terms = [t.replace("*", "").replace("~", "") for t in terms]
    cues = [t for v in (lex.get("cues") or {}).values() for t in v]
    seed_text = next((ROOT / "seeds").glob("*.txt")).read_text(encoding="utf-8")
    words = re.findall(r"[\u0600-\u06ff]+", seed_text)
    outlets = ["aawsat", "alriyadh", "okaz", "alyaum", "sabq", "was"]
    folder.mkdir(parents=True, exist_ok=True)
    per = -(-articles // files)
    k = 0
    for f in range(files):
        recs = []
        for _ in range(min(per, articles - k)):
            paras = []
            for _ in range(rng.randint(4, 9)):
                sents = []
                for _ in range(rng.randint(1, 3)):
                    w = [rng.choice(words) for _ in range(rng.randint(12, 30))]
                    for _ in range(rng.randint(0, 2)):
                        w.insert(rng.randrange(len(w)), rng.choice(terms))
                    if rng.random() < 0.4:
                        w.insert(0, rng.choice(cues))
                    sents.append(" ".join(w) + ".")
                paras.append(" ".join(sents))
            recs.append({"source": rng.choice(outlets), "url": f"http://gen/{k}", "date_extracted": "2015-07-21 10:00:00",
                         "title": " ".join(rng.choice(words) for _ in range(8)), "author": "",
                         "content": "\n".join(paras)})
            k += 1
        with zipfile.ZipFile(folder / f"2015-07-{f + 1:02d}.zip", "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(f"2015-07-{f + 1:02d}.json", json.dumps(recs, ensure_ascii=False, indent=4))


def scaled(folder: Path, times: int, tmp: Path) -> Path:
    if times == 1:
        return folder
    out = tmp / f"x{times}"
    if not out.exists():
        for i in range(times):
            (out / f"copy{i}").mkdir(parents=True)
            for z in sorted(folder.glob("*.zip")):
                os.symlink(z.resolve(), out / f"copy{i}" / z.name)
    return out


# --------------------------------------------------------------------------- measuring


class Sampler:
    """Peak RSS of a process tree, sampled every 0.1 s."""

    def __init__(self, pid: int):
        self.proc = psutil.Process(pid)
        self.peak_sum = self.peak_one = 0
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self._stop.is_set():
            try:
                procs = [self.proc] + self.proc.children(recursive=True)
                rss = []
                for p in procs:
                    try:
                        rss.append(p.memory_info().rss)
                    except psutil.Error:
                        pass
                if rss:
                    self.peak_sum = max(self.peak_sum, sum(rss))
                    self.peak_one = max(self.peak_one, max(rss))
            except psutil.Error:
                pass
            self._stop.wait(0.1)

    def stop(self):
        self._stop.set()
        self.thread.join()


def run_measured(cmd: list[str], env=None) -> dict:
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    sampler = Sampler(proc.pid)
    out, err = proc.communicate()
    sampler.stop()
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-3000:]}")
    return {"wall": wall, "peak_sum": sampler.peak_sum, "peak_one": sampler.peak_one, "stdout": out, "stderr": err}


# Ceilings: code run before ``framing analyze`` that makes a stage free (the patched names must exist)
_NO_RULES = ("import framing.score as S\n_score = S.LexiconScorer._score\n"
             "S.LexiconScorer._score = lambda self, sent, aliases, previous, norm, matches, *rest: "
             "_score(self, sent, aliases, previous, norm, [], *rest)\n")
FREE_STAGES = {
    "norules": _NO_RULES,
    "nolexicon": _NO_RULES + ("import framing.lexicon as L\nassert hasattr(L.Matcher, 'find_all')\n"
                              "L.Matcher.find_all = lambda self, text, spans, masked: [[] for _ in spans]\n"),
}
PIPELINES = ["naive", "lexicon", "full"] + [f"{p}-{f}" for p in ("lexicon", "full") for f in FREE_STAGES]


def framing_run(corpus: Path, jobs: int, lexicon_only: bool, tmp: Path, free: str = "") -> dict:
    out = Path(tempfile.mkdtemp(dir=tmp, prefix="out-"))
    code = (FREE_STAGES[free] if free else "") + ("import resource, sys; from framing.cli import app\n"
            "try:\n    app()\nexcept SystemExit as e:\n    code = e.code\nelse:\n    code = 0\n"
            "s = resource.getrusage(resource.RUSAGE_SELF); c = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
            "print('CPU', s.ru_utime + s.ru_stime, c.ru_utime + c.ru_stime, file=sys.stderr)\nsys.exit(code)")
    cmd = [sys.executable, "-c", code, "analyze", str(corpus), "-o", str(out), "--no-report", "--no-csv",
           "--jobs", str(jobs)] + (["--lexicon-only"] if lexicon_only else [])
    r = run_measured(cmd)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    cpu = re.search(r"CPU ([\d.]+) ([\d.]+)", r["stderr"])
    r.update(cpu=float(cpu[1]) + float(cpu[2]) if cpu else None, summary=summary,
             sentences=summary["counts"]["sentences"], documents=summary["counts"]["documents_read"],
             text_bytes=summary["run"]["text_bytes"], model=summary["model"])
    subprocess.run(["rm", "-rf", str(out)], check=False)
    return r


# --------------------------------------------------------------------------- the naive baseline

NAIVE = r'''
import json, re, sys, time, zipfile, resource
from pathlib import Path
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import MultiLabelBinarizer

corpus, lexicon, gold = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
lex = yaml.safe_load(open(lexicon, encoding="utf-8"))
# one alternation per frame over the lexicon's terms (the '*' and '~' syntax dropped)
patterns = {}
for frame, spec in lex["frames"].items():
    terms = [e if isinstance(e, str) else e["term"] for e in spec["entries"]]
    terms = [t.replace("*", "").replace(" ~ ", " ") for t in terms]
    patterns[frame] = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)))
# a TF-IDF logistic regression on the gold sentences
rows = [json.loads(l) for l in open(gold, encoding="utf-8") if l.strip()]
mlb = MultiLabelBinarizer(classes=list(lex["frames"]))
y = mlb.fit_transform([r["frames"] for r in rows])
vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
clf = OneVsRestClassifier(LogisticRegression(max_iter=1000)).fit(vec.fit_transform([r["text"] for r in rows]), y)
splitter = re.compile(r"(?<=[.!?\u061f])\s+|\n+")
files = sorted(p for p in corpus.rglob("*.zip"))
sentences, counts, nbytes = [], {f: 0 for f in patterns}, 0
for z in files:
    with zipfile.ZipFile(z) as zf:
        for name in zf.namelist():
            for art in json.loads(zf.read(name)):
                text = (art.get("title") or "") + "\n" + (art.get("content") or "")
                nbytes += len(text.encode()) - 1
                for s in splitter.split(text):
                    if s.strip():
                        sentences.append(s)
                        for f, p in patterns.items():
                            if p.search(s):
                                counts[f] += 1
pred = clf.predict(vec.transform(sentences))
s = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"sentences": len(sentences), "text_bytes": nbytes, "lexicon_hits": counts,
                  "predicted": dict(zip(mlb.classes_, map(int, pred.sum(axis=0)))),
                  "cpu": s.ru_utime + s.ru_stime}))
'''


def naive(corpus: Path) -> dict:
    r = run_measured([sys.executable, "-c", NAIVE, str(corpus), str(LEXICON), str(GOLD)])
    res = json.loads(r["stdout"].strip().splitlines()[-1])
    r.update(sentences=res["sentences"], text_bytes=res["text_bytes"], cpu=res["cpu"], model="regex+tfidf-lr",
             documents=None)
    return r


# --------------------------------------------------------------------------- report


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": len(os.sched_getaffinity(0)), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(), "platform": platform.platform(), "load": os.getloadavg()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=SNN, help="a folder of zips of JSON arrays (default: SaudiNewsNet)")
    ap.add_argument("--generate", action="store_true", help="use a generated corpus of the same size")
    ap.add_argument("--runs", default=DEFAULT_RUNS, help="PIPELINE:SCALE:JOBS,… (pipelines: full, lexicon, naive; ceilings: "
                    f"{', '.join(PIPELINES[3:])})")
    ap.add_argument("--no-naive", action="store_true")
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--tmp", type=Path, default=None)
    ap.add_argument("--merge", action="store_true", help="keep the rows of earlier runs (RESULTS.json) that this "
                    "run does not measure again")
    ap.add_argument("--rounds", type=int, default=1, help="measure every run this many times, round by round (a slow "
                    "spell of the host then falls on every pipeline alike); each row keeps its fastest round and "
                    "lists the wall times of all")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-", dir=args.tmp))
    corpus, source = args.corpus, "SaudiNewsNet (../shared/corpus/saudinewsnet/dataset)"
    if args.generate or not corpus.is_dir():
        corpus, source = tmp / "generated", "generated (no SaudiNewsNet here): 31,030 articles in 18 zips of JSON arrays"
        print("generating a corpus …", file=sys.stderr)
        generate(corpus)
    n_articles, n_bytes = corpus_stats(corpus)
    m0 = machine()
    raw = args.out.with_suffix(".json")
    earlier = json.loads(raw.read_text(encoding="utf-8"))["rows"] if args.merge and raw.exists() else []
    best: dict[str, dict] = {}  # per run: its fastest round
    specs = [s for s in args.runs.split(",") if not (s.startswith("naive:") and args.no_naive)]
    for spec, rnd in ((spec, rnd) for rnd in range(args.rounds) for spec in specs):
        pipe, scale, jobs = spec.split(":")
        scale, jobs = int(scale), int(jobs)
        data = scaled(corpus, scale, tmp)
        print(f"{pipe} x{scale} jobs={jobs} (round {rnd + 1} of {args.rounds}) …", file=sys.stderr, flush=True)
        load0 = os.getloadavg()[0]
        if pipe not in PIPELINES:
            sys.exit(f"unknown pipeline {pipe!r} in --runs (one of {', '.join(PIPELINES)})")
        base, _, free = pipe.partition("-")
        r = naive(data) if pipe == "naive" else framing_run(data, jobs, base == "lexicon", tmp, free)
        mb = r["text_bytes"] / 1e6
        cores = 1 if pipe == "naive" else jobs
        row = {"pipeline": pipe, "scale": scale, "jobs": jobs, "model": r["model"], "wall": r["wall"],
               "mb": mb, "mbs": mb / r["wall"], "mbs_core": mb / r["wall"] / cores,
               "sents": r["sentences"] / r["wall"], "sentences": r["sentences"], "cpu": r["cpu"],
               "mbs_cpu": mb / r["cpu"] if r.get("cpu") else None,
               "peak_sum": r["peak_sum"] / 2**20, "peak_one": r["peak_one"] / 2**20, "load": load0}
        if pipe != "naive":
            run = r["summary"]["run"]
            row.update(startup=r["wall"] - run["seconds"], model_load=run.get("model_load_seconds"),
                       inner=run["seconds"])
        row["measured"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        print(json.dumps(row), file=sys.stderr, flush=True)
        walls = best[spec]["walls"] + [row["wall"]] if spec in best else [row["wall"]]
        if spec not in best or row["wall"] < best[spec]["wall"]:
            best[spec] = row
        best[spec]["walls"] = walls
        rows = list(best.values())
        key = lambda r: (r["pipeline"], r["scale"], r["jobs"])  # noqa: E731
        done = {key(r) for r in rows}
        merged = sorted([r for r in earlier if key(r) not in done] + rows,
                        key=lambda r: (PIPELINES.index(r["pipeline"]), r["scale"], r["jobs"]))
        raw.write_text(json.dumps({"rows": merged}, indent=1), encoding="utf-8")
        write(args.out, merged, m0, machine(), source, n_articles, n_bytes)
    subprocess.run(["rm", "-rf", str(tmp)], check=False)


def write(path: Path, rows: list[dict], m0: dict, m1: dict, source: str, n_articles: int, n_bytes: int) -> None:
    def get(p, s, j):
        return next((r for r in rows if (r["pipeline"], r["scale"], r["jobs"]) == (p, s, j)), None)

    lines = [
        "# Corpus benchmark", "",
        f"Corpus: {source}; {n_articles:,} articles, {n_bytes / 1e6:.1f} MB of article text (UTF-8, title + body).",
        f"Machine: {m0['cpu']}, {m0['cores']} cores, {m0['memory_gb']} GB, Python {m0['python']}, {m0['platform']}.",
        f"Load average (1/5/15 min) at the start: {m0['load'][0]:.2f}/{m0['load'][1]:.2f}/{m0['load'][2]:.2f}; "
        f"at the end: {m1['load'][0]:.2f}/{m1['load'][1]:.2f}/{m1['load'][2]:.2f} (other work shared the machine when "
        "this was above ~0; wall-clock figures suffer, CPU seconds less).",
        "", "Generated by `python benchmarks/bench_corpus.py`. MB/s is article text per wall-clock second, including "
        "process start-up (imports) and, for `full`, loading the classifier; `MB/s/CPU-s` divides by the CPU seconds "
        "the run used (all processes).", "",
        "| pipeline | model | corpus | jobs | wall s | MB/s | MB/s per core | MB/s per CPU-s | sentences/s | CPU s | "
        "peak RSS tree MB | peak RSS largest process MB | load at start | start-up + model load s | measured | "
        "wall s of each round (`--rounds`; the row is the fastest) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['pipeline']} | {r['model']} | {r['scale']}x | {r['jobs']} | {r['wall']:.1f} | {r['mbs']:.2f} | "
            f"{r['mbs_core']:.2f} | {r['mbs_cpu']:.2f} | {r['sents']:,.0f} | {r['cpu']:.1f} | {r['peak_sum']:.0f} | "
            f"{r['peak_one']:.0f} | {r['load']:.2f} | "
            + (f"{r['startup']:.1f} (model {r['model_load']:.1f})" if 'startup' in r else "–")
            + f" | {r.get('measured', '')} | {' / '.join(f'{w:.1f}' for w in r.get('walls', [r['wall']]))} |")
    lines += ["", "## Targets", ""]

    def check(label, ok, detail):
        lines.append(f"- {label}: {'met' if ok else 'NOT met'} — {detail}")

    f1, l1, nv = get("full", 1, 1), get("lexicon", 1, 1), get("naive", 1, 1)
    if f1:
        check("full pipeline >= 4 MB/s per core with one job", f1["mbs_core"] >= 4,
              f"{f1['mbs_core']:.2f} MB/s ({f1['mbs_cpu']:.2f} per CPU-second)")
    if l1:
        check("lexicon-only >= 8 MB/s per core with one job", l1["mbs_core"] >= 8,
              f"{l1['mbs_core']:.2f} MB/s ({l1['mbs_cpu']:.2f} per CPU-second)")
    if f1 and nv:
        check(">= 5x the naive baseline", f1["mbs"] >= 5 * nv["mbs"],
              f"full {f1['mbs']:.2f} MB/s vs naive {nv['mbs']:.2f} MB/s = {f1['mbs'] / nv['mbs']:.2f}x"
              + (f"; lexicon-only {l1['mbs'] / nv['mbs']:.2f}x" if l1 else ""))
    for p in ("full", "lexicon"):
        a, b = get(p, 1, 1), get(p, 1, 2)
        if a and b:
            check(f"{p}: >= 1.7x faster with 2 jobs than 1", a["wall"] / b["wall"] >= 1.7,
                  f"{a['wall'] / b['wall']:.2f}x (wall {a['wall']:.1f} s → {b['wall']:.1f} s; "
                  f"load averages at start {a['load']:.1f} and {b['load']:.1f})")
    for p in ("full", "lexicon"):
        for j in (1, 2):
            a, b = get(p, 1, j), get(p, 4, j)
            if a and b:
                check(f"{p}, {j} job(s): peak RSS at 4x within 10% of 1x",
                      b["peak_sum"] <= 1.1 * a["peak_sum"],
                      f"tree {a['peak_sum']:.0f} → {b['peak_sum']:.0f} MB ({b['peak_sum'] / a['peak_sum'] - 1:+.1%}); "
                      f"largest process {a['peak_one']:.0f} → {b['peak_one']:.0f} MB "
                      f"({b['peak_one'] / a['peak_one'] - 1:+.1%})")
    ceilings = [r for r in rows if "-" in r["pipeline"] and (r["scale"], r["jobs"]) == (1, 1)]
    if ceilings:
        lines += ["", "## Ceilings", "", "Each row with a stage made free (its output is wrong by construction): what "
                  "the one-job pipeline would reach if that stage cost nothing.", ""]
    for r in ceilings:
        base, _, free = r["pipeline"].partition("-")
        full = get(base, 1, 1)
        target = "target 8" if base == "lexicon" else "target 4" + (
            f"; 5x the naive baseline is {5 * nv['mbs']:.2f} MB/s" if nv else "")
        lines.append(f"- `{r['pipeline']}` ({'rules' if free == 'norules' else 'rules and automaton'} free): "
                     f"{r['mbs_core']:.2f} MB/s per core ({target})"
                     + (f", against {full['mbs_core']:.2f} for `{base}`" if full else ""))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
