"""How fast indicator extraction and cleaning run (messages or values per second, one core).

    .venv/bin/python benchmarks/bench_indicators_extract.py [--write]

Corpus: the 3,468 unique Thai SMS of ../shared/data/thai_sms_ssivakorn (MIT) when present,
otherwise the demo's sample messages repeated. Each figure is the median of 5 runs, measured
side by side in one process with its baseline:

* extraction of all types vs. ``phonenumbers.PhoneNumberMatcher`` (phones only, region TH):
  the library's own text scanner, i.e. what one would use instead for the phone part alone;
* ``fold`` alone (part of extraction) vs. plain whole-string NFKC;
* phone ``clean`` uncached vs. ``phonenumbers.parse`` + ``format_number`` (its core);
* URL ``clean`` uncached vs. ``urllib.parse.urlsplit`` (parsing only, no normalization).

It also measures coverage on real data when ../shared/data is present (evaluation, not speed):
links found in Thai SMS that contain ``http(s)://``, and spamhunter URLs that clean.

``--write`` replaces the indicators blocks in docs/benchmarks.md and docs/evaluation.md.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import re
import statistics
import time
import unicodedata
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import phonenumbers
from rich.console import Console
from rich.table import Table

from tatsai.indicators import phone as phone_module
from tatsai.indicators import web as web_module
from tatsai.indicators.extract import extract_indicators
from tatsai.indicators.text import fold
from tatsai.indicators.types import get_type
from tatsai.orgs.demo import SAMPLE_MESSAGES

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "data" / "thai_sms_ssivakorn" / "thai_sms_combined_dedup.csv"
DOCS = REPO / "docs" / "benchmarks.md"
EVALUATION = REPO / "docs" / "evaluation.md"
MISHRA_SONI = REPO.parent / "shared" / "data" / "sms_phishing_mishra_soni_5971" / "Dataset_5971.csv"
SPAMHUNTER_URLS = (
    REPO.parent / "shared" / "data" / "sms_spam_spamhunter_tweets" / "spam_sms_urls.txt"
)
BEGIN, END = "<!-- indicators:begin -->", "<!-- indicators:end -->"
REPEATS = 5


def load_messages() -> tuple[list[str], str]:
    if CORPUS.exists():
        with CORPUS.open(encoding="utf-8") as handle:
            texts = [row["text"] for row in csv.DictReader(handle)]
        return texts, f"thai_sms_ssivakorn, {len(texts):,} unique Thai SMS"
    texts = SAMPLE_MESSAGES * 500
    return texts, f"demo sample messages x500 ({len(texts):,})"


def cold_caches() -> None:
    """Forget every cleaned value, so each run pays for values it has not seen (the SMS path
    sees mostly new numbers and links; repeated ones would only be faster)."""
    for cached in (
        phone_module._clean_phone,
        phone_module._caption_phone,
        web_module._clean_url,
        web_module._clean_host,
        web_module._registrable,
        web_module._suffix,
    ):
        cached.cache_clear()


def rate(work: Callable[[str], object], items: Sequence[str]) -> float:
    """Median items per second over REPEATS runs, each from cold value caches."""
    rates = []
    for _ in range(REPEATS):
        cold_caches()
        started = time.perf_counter()
        for item in items:
            work(item)
        rates.append(len(items) / (time.perf_counter() - started))
    return statistics.median(rates)


def phonenumbers_matcher(text: str) -> list[str]:
    return [
        phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164)
        for m in phonenumbers.PhoneNumberMatcher(text, "TH")
    ]


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def phonenumbers_parse(raw: str) -> str:
    number = phonenumbers.parse(raw, "TH")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()

    messages, corpus = load_messages()
    phones = [f"08{i % 10}-{i % 1000:03d}-{i % 10000:04d}" for i in range(2000)]
    urls = [f"HTTPS://KBank-{i}.com/Login?id={i}" for i in range(2000)]
    clean_phone = phone_module._clean_phone.__wrapped__  # uncached: the cost of a new value
    clean_url = web_module._clean_url.__wrapped__

    extract_indicators(messages[0])  # import-time work (suffix list, regexes) out of the timing
    rows = [
        ("extract_indicators, all types", "messages/s", rate(extract_indicators, messages),
         "phonenumbers.PhoneNumberMatcher (phones only)", rate(phonenumbers_matcher, messages)),
        ("fold", "messages/s", rate(fold, messages),
         "unicodedata.normalize NFKC", rate(nfkc, messages)),
        ("phone clean (uncached)", "values/s", rate(clean_phone, phones),
         "phonenumbers.parse + format", rate(phonenumbers_parse, phones)),
        ("url clean (uncached)", "values/s", rate(clean_url, urls),
         "urllib.parse.urlsplit", rate(urlsplit, urls)),
    ]  # fmt: skip

    table = Table(title=f"indicator extraction — {corpus}, median of {REPEATS}")
    for column in ("what", "unit", "tatsai", "baseline", "baseline rate", "ratio"):
        table.add_column(column)
    lines = [
        "| what | unit | tatsai | baseline | baseline rate | tatsai / baseline |",
        "|---|---|---:|---|---:|---:|",
    ]
    for what, unit, ours, baseline, theirs in rows:
        cells = (what, unit, f"{ours:,.0f}", baseline, f"{theirs:,.0f}", f"{ours / theirs:.2f}")
        table.add_row(*cells)
        lines.append("| " + " | ".join(cells) + " |")
    Console().print(table)
    coverage_lines = coverage()
    for line in coverage_lines:
        print(line)
    if args.write:
        write_block(DOCS, "Indicators: extraction and cleaning", lines, corpus)
        if coverage_lines:
            write_block(EVALUATION, "Indicators: coverage on real messages", coverage_lines, "")


def coverage() -> list[str]:
    """Markdown table rows of how much real data the indicators handle (empty without data)."""
    if not CORPUS.exists() or not SPAMHUNTER_URLS.exists():
        return []
    with CORPUS.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    linked = [r for r in rows if re.search(r"https?://", r["text"], re.IGNORECASE)]
    found = sum(any(f.type == "url" for f in extract_indicators(r["text"])) for r in linked)
    by_label: dict[str, int] = {}
    for row in rows:
        if extract_indicators(row["text"]):
            by_label[row["label"]] = by_label.get(row["label"], 0) + 1
    totals = {label: sum(r["label"] == label for r in rows) for label in by_label}
    urls = [u.strip() for u in SPAMHUNTER_URLS.read_text(encoding="utf-8").splitlines()]
    urls = [u for u in urls if u]
    url_type = get_type("url")
    cleaned = sum(url_type.is_valid(u) for u in urls)
    lines = [
        "| measure | result | baseline |",
        "|---|---:|---|",
        f"| Thai SMS (ssivakorn) containing `http(s)://` with a `url` found | {found:,} / "
        f"{len(linked):,} ({found / len(linked):.1%}) | regex `https?://\\S+`: finds all, "
        "normalizes none, and also takes hosts without a real suffix (`https://cpt.dx/…`) |",
        f"| spamhunter SMS URLs that `url.clean` accepts | {cleaned:,} / {len(urls):,} "
        f"({cleaned / len(urls):.1%}) | `urllib.parse.urlsplit` parses all, normalizes none |",
    ]
    if MISHRA_SONI.exists():
        lines.extend(mishra_soni_agreement())
    for label in sorted(by_label):
        share = by_label[label] / totals[label]
        lines.append(
            f"| Thai SMS labelled `{label}` with at least one indicator | "
            f"{by_label[label]:,} / {totals[label]:,} ({share:.1%}) | — |"
        )
    return lines


def write_block(doc: Path, heading: str, lines: list[str], corpus: str) -> None:
    date = datetime.now(UTC).strftime("%a %b %d %H:%M:%S UTC %Y")  # as `date -u` prints it
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    block = "\n".join(
        [
            BEGIN,
            f"## {heading}",
            "",
            f"- date: {date.strip()}; machine: 2-core, 24 GB ({platform.processor() or 'x86_64'}),"
            f" Python {platform.python_version()}, one process, one core; load average {load}"
            " (the machine is shared)",
            "- command: `.venv/bin/python benchmarks/bench_indicators_extract.py --write`",
            *(
                [f"- corpus: {corpus}; phone/URL clean on 2,000 generated values each"]
                if corpus
                else []
            ),
            "",
            *lines,
            END,
        ]
    )
    title = "# Benchmarks" if doc == DOCS else "# Evaluation"
    text = doc.read_text(encoding="utf-8") if doc.exists() else title + "\n"
    if BEGIN in text and END in text:
        head, _, rest = text.partition(BEGIN)
        _, _, tail = rest.partition(END)
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    doc.write_text(text, encoding="utf-8")


def mishra_soni_agreement() -> list[str]:
    """Rows comparing found links and e-mails with the dataset's own URL/EMAIL flags."""
    with MISHRA_SONI.open(encoding="utf-8", errors="replace") as handle:
        rows = list(csv.DictReader(handle))
    counts: dict[tuple[str, bool, bool], int] = {}
    for row in rows:
        found = {f.type for f in extract_indicators(row["TEXT"])}
        for flag, types in (("URL", {"url", "domain"}), ("EMAIL", {"email"})):
            key = (flag, row[flag].lower() == "yes", bool(found & types))
            counts[key] = counts.get(key, 0) + 1
    lines = []
    notes = {
        "URL": "the dataset's hand-made flag; the misses are broken links such as "
        "`http://itdo/…`, the extras mostly real links the flag missed (`www.textcomp.com`)",
        "EMAIL": "the dataset's hand-made flag",
    }
    for flag, name in (("URL", "a link"), ("EMAIL", "an e-mail")):
        hit, flagged = (
            counts.get((flag, True, True), 0),
            sum(counts.get((flag, True, found), 0) for found in (True, False)),
        )
        extra = counts.get((flag, False, True), 0)
        lines.append(
            f"| Mishra–Soni SMS flagged {flag}=yes where {name} is found | {hit:,} / {flagged:,}"
            f" ({hit / flagged:.1%}); found in {extra} messages flagged no | {notes[flag]} |"
        )
    return lines


if __name__ == "__main__":
    main()
