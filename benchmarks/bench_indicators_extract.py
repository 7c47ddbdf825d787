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

``--write`` replaces the indicators block in docs/benchmarks.md with the table.
"""

from __future__ import annotations

import argparse
import csv
import platform
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
from tatsai.orgs.demo import SAMPLE_MESSAGES

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "data" / "thai_sms_ssivakorn" / "thai_sms_combined_dedup.csv"
DOCS = REPO / "docs" / "benchmarks.md"
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
    if args.write:
        write_block(lines, corpus)


def write_block(lines: list[str], corpus: str) -> None:
    date = datetime.now(UTC).strftime("%a %b %d %H:%M:%S UTC %Y")  # as `date -u` prints it
    block = "\n".join(
        [
            BEGIN,
            "## Indicators: extraction and cleaning",
            "",
            f"- date: {date.strip()}; machine: 2-core, 24 GB ({platform.processor() or 'x86_64'}),"
            f" Python {platform.python_version()}, one process, one core",
            "- command: `.venv/bin/python benchmarks/bench_indicators_extract.py --write`",
            f"- corpus: {corpus}; phone/URL clean on 2,000 generated values each",
            "",
            *lines,
            END,
        ]
    )
    text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Benchmarks\n"
    if BEGIN in text and END in text:
        head, _, rest = text.partition(BEGIN)
        _, _, tail = rest.partition(END)
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    DOCS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
