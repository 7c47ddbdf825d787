"""Cleaning and extraction on real public data in ../shared/data (measured, never copied).

Thresholds are what the code reaches today with a margin; the rows that fail are broken on
purpose or by OCR in the data (``https://cpt.dx/…`` has no real top-level domain).
"""

from __future__ import annotations

import csv
import re

from tatsai.indicators.extract import extract_indicators
from tatsai.indicators.types import get_type
from tests.conftest import require_shared_data


def test_spamhunter_urls_clean_idempotently() -> None:
    path = require_shared_data("sms_spam_spamhunter_tweets") / "spam_sms_urls.txt"
    urls = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    url_type = get_type("url")
    clean = [url_type.clean(u) for u in urls if url_type.is_valid(u)]
    assert len(clean) >= 0.99 * len(urls), f"{len(urls) - len(clean)} of {len(urls)} refused"
    for value in clean:
        assert url_type.clean(value) == value
        assert url_type.clean(url_type.caption(value)) == value


def test_thai_sms_links_are_found() -> None:
    path = require_shared_data("thai_sms_ssivakorn") / "thai_sms_combined_dedup.csv"
    with path.open(encoding="utf-8") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)]
    with_link = {t for t in texts if re.search(r"https?://", t, re.IGNORECASE)}
    found = 0
    for text in texts:
        indicators = extract_indicators(text)
        for item in indicators:
            assert text[item.start : item.end] == item.raw
        if text in with_link and any(item.type == "url" for item in indicators):
            found += 1
    assert len(with_link) > 500
    assert found >= 0.95 * len(with_link), f"links found in {found} of {len(with_link)}"
