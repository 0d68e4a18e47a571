"""Candidates for a consistency pass: gold sentences that codebook decisions P23-P28 may touch.

    python scripts/consistency_candidates.py data/gold/gold.jsonl 8 OUT_DIR

Picks sentences by keyword (the decision's words; for P26 with an official's title, for P27
with an attribution) and writes OUT_DIR/pass_<i>.md, articles shared out over N batches: each
article's title and the two sentences either side of each candidate, the candidates marked ▶
with their current label. Coders read them and change a label only where a decision governs it;
the changes go to data/gold/decisions_p23_p28.jsonl. The keywords pick, they never label.
"""
from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from pathlib import Path

REPORTING = re.compile(r"قال|أكد|اكد|أعلن|اعلن|أوضح|اوضح|أضاف|اضاف|ذكر|أشار|اشار|صرح|نقل|بحسب|حسب|وفق|أفاد|افاد|كشف|زعم"
                       r"|اعتبر|رأى|يرى|بيان|تصريح|مصدر|مصادر")
TITLE = re.compile(r"وزير|رئيس|مسؤول|مدير|قائد|سفير|مبعوث|مستشار|ضابط|جنرال|لواء|عميد|متحدث|محافظ|أمين عام|الأمين العام")
PATTERNS = {  # decision: (words that may bring it into play, words that must also be there)
    "P23": (re.compile(r"(?<!\w)[وف]?[لب]?(?:ال)?(?:مصدر|مصادر)(?!\w)"), None),
    "P24": (re.compile(r"الجامع[ةه] العربي|التعاون الإسلامي|التعاون الاسلامي|مجلس التعاون|الناتو|حلف شمال الأطلسي|حلف الأطلسي"
                       r"|الاتحاد الأوروبي|الاتحاد الاوروبي|الاتحاد الأفريقي|الاتحاد الافريقي|البنك الدولي|صندوق النقد"
                       r"|الإنتربول|الانتربول|حظر الأسلحة الكيميائية|الاتحاد الدولي للاتصالات|الصح[ةه] العالمي"), None),
    "P25": (re.compile(r"(?:تنظيم|لتنظيم|وتنظيم|بتنظيم)? ?القاعد[ةه](?! الجوي| العسكري| البحري)|النصر[ةه]|أنصار الشريع"
                       r"|انصار الشريع|المرابطون|عشماوي|بيت المقدس|مجلس شورى|بوكو حرام|حرك[ةه] الشباب|فتح الشام"), None),
    "P26": (re.compile(r"(?<!\w)(?:ال)?سابق(?:ة|ه)?(?!\w)|آنذاك|حينها|وقتها|الأسبق"), TITLE),
    "P27": (re.compile(r"(?<!\w)(?:و?لكن|إلا أن|الا أن|إلا ان|الا ان|غير أن|غير ان|بيد أن)(?!\w)"), REPORTING),
    "P28": (re.compile(r"مفتي|المفتي|الأزهر|الازهر|كبار العلماء|الشؤون الإسلامي|الشؤون الدينية|الأوقاف|الاوقاف"
                       r"|رابط[ةه] العالم الإسلامي|دار الإفتاء|دار الافتاء"), None),
}
CONTEXT = 2  # sentences shown either side of a candidate
READ_PER_CANDIDATE = 2000  # characters a candidate weighs when sharing articles out (it is read with its context)
HEADER = ("Each article shows its title and two sentences either side of each candidate (… marks sentences left "
          "out). Lines marked ▶ are the candidates: decide each. Other lines are context only.\n")


def candidates(gold: list[dict]) -> dict[str, list[str]]:
    """sid -> the decisions whose words it has."""
    out: dict[str, list[str]] = defaultdict(list)
    for s in gold:
        for decision, (words, also) in PATTERNS.items():
            if words.search(s["text"]) and (also is None or also.search(s["text"])):
                out[s["sid"]].append(decision)
    return out


def article_lines(sents: list[dict], cand: dict[str, list[str]]) -> list[str]:
    s0 = sents[0]
    lines = [f"\n## Article {s0['article']} ({s0['corpus']}, {s0['outlet']}, {s0['date']})\n"]
    near = {j for i, s in enumerate(sents) if s["sid"] in cand for j in range(i - CONTEXT, i + CONTEXT + 1)} | {0}
    last = -1
    for j, s in enumerate(sents):
        if j not in near:
            continue
        if j > last + 1:
            lines.append("  …\n")
        last = j
        if s["sid"] in cand:
            lines.append(f"▶ [{s['sid']}] {s['text']}\n    current: frames={s['frames']} voice={s['voice']}; "
                         f"may concern: {', '.join(cand[s['sid']])}\n")
        else:
            lines.append(f"  [{s['sid']}] {s['text']}\n")
    return lines


def main(gold_path: str, n_batches: int, out_dir: str) -> None:
    gold = [json.loads(line) for line in open(gold_path, encoding="utf-8")]
    cand = candidates(gold)
    by_article: dict[str, list[dict]] = defaultdict(list)
    for s in gold:
        by_article[s["article"]].append(s)
    articles = [a for a, sents in by_article.items() if any(s["sid"] in cand for s in sents)]
    batches: list[list[str]] = [[] for _ in range(n_batches)]
    load = [0] * n_batches
    chars = {a: sum(len(s["text"]) for s in by_article[a]) for a in articles}
    for a in sorted(articles, key=lambda a: -chars[a]):  # longest first, each to the batch with the least to read
        i = load.index(min(load))
        batches[i].append(a)
        load[i] += chars[a] + READ_PER_CANDIDATE * sum(s["sid"] in cand for s in by_article[a])
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for i, batch in enumerate(batches, 1):
        lines = [f"# Consistency pass batch {i}\n", HEADER]
        for a in sorted(batch):
            lines += article_lines(by_article[a], cand)
        (out / f"pass_{i}.md").write_text("".join(lines), encoding="utf-8")
    print(f"{len(cand)} candidates in {len(articles)} articles, {n_batches} batches in {out}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
