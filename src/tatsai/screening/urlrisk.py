"""URL risk: how much a link looks like a lookalike of a Thai brand or official domain.

:func:`assess` scores one URL in ``[0, 1]`` and says why. Signals, each adding to the score:

* **official** — the registrable domain (``tldextract`` with its bundled Public Suffix List
  snapshot, never the network) is an official domain (:mod:`tatsai.indicators.reference` when
  present) or lies under Thailand's registry-restricted government suffix ``go.th``: score 0.
* **homoglyph / IDN** — the host has non-ASCII or ``xn--`` labels whose confusable-mapped ASCII
  form names a brand (``kаsikorn`` with a Cyrillic ``а``): 0.9.
* **lookalike** — the domain label is within edit distance 1 (labels ≥ 4 letters) or 2 (≥ 8) of
  a brand token or an official label, without being it (``kerry1ogistics``, ``scbqroup``): 0.8.
* **brand plus word** — a brand token inside a longer label (``kbank-verify``, ``ais-th``): 0.7.
* **brand in subdomain or path** — ``kbank.secure-login.top`` or ``example.com/scb/``: 0.5.
* **risky TLD** (cheap, abuse-heavy suffixes): +0.3; **IP address host**: +0.5;
  **shortener** (hides the destination): +0.2, from the CC-BY-SA shortener list.

Brand *tokens* (``kbank``, ``kerry``, ``pea``…) are screening's own list: they are the words a
lookalike borrows, not hosts anyone may be allowed to use. Which hosts are allowed lives in one
place, the indicators reference (``is_official_domain``).
"""

from __future__ import annotations

import importlib
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from urllib.parse import urlsplit

import idna
import tldextract
from rapidfuzz.distance import Levenshtein

from tatsai.screening.normalize import _lookup_tables

# Brand tokens of Thai banks, e-wallets, agencies, couriers, operators and utilities.
BRAND_TOKENS: dict[str, str] = {
    "kbank": "Kasikornbank",
    "kasikorn": "Kasikornbank",
    "kasikornbank": "Kasikornbank",
    "scb": "Siam Commercial Bank",
    "scbeasy": "Siam Commercial Bank",
    "krungthai": "Krung Thai Bank",
    "ktb": "Krung Thai Bank",
    "bangkokbank": "Bangkok Bank",
    "bualuang": "Bangkok Bank",
    "krungsri": "Krungsri (Bank of Ayudhya)",
    "ttb": "TMBThanachart Bank",
    "ttbbank": "TMBThanachart Bank",
    "gsb": "Government Savings Bank",
    "baac": "BAAC",
    "ghbank": "Government Housing Bank",
    "uob": "UOB Thailand",
    "cimb": "CIMB Thai",
    "promptpay": "PromptPay",
    "truemoney": "TrueMoney",
    "paotang": "Pao Tang (Krungthai)",
    "thaipost": "Thailand Post",
    "thailandpost": "Thailand Post",
    "kerry": "Kerry Express",
    "kerryexpress": "Kerry Express",
    "flashexpress": "Flash Express",
    "jtexpress": "J&T Express",
    "lazada": "Lazada",
    "shopee": "Shopee",
    "ais": "AIS",
    "truemove": "True",
    "dtac": "dtac",
    "pea": "Provincial Electricity Authority",
    "mea": "Metropolitan Electricity Authority",
    "pwa": "Provincial Waterworks Authority",
    "mwa": "Metropolitan Waterworks Authority",
    "revenue": "Revenue Department",
    "rdgo": "Revenue Department",
    "dlt": "Department of Land Transport",
    "sso": "Social Security Office",
    "dsi": "Department of Special Investigation",
    "nbtc": "NBTC",
    "thaid": "ThaID",
}
# Short tokens match only as a whole hyphen/dot-separated word, never inside another word,
# except these bank acronyms, whose letter clusters rarely start an ordinary word (scbqroup).
_SHORT = 4
_PREFIX_OK = ("scb", "ktb", "gsb", "ttb", "kbank", "baac", "krungsri", "kerry")

# Official registrable domains used until tatsai.indicators.reference lands on this branch.
_FALLBACK_OFFICIAL = frozenset(
    {
        "kasikornbank.com", "kbank.co.th", "scb.co.th", "krungthai.com", "bangkokbank.com",
        "krungsri.com", "ttbbank.com", "gsb.or.th", "baac.or.th", "ghbank.co.th", "uob.co.th",
        "cimbthai.com", "truemoney.com", "thailandpost.co.th", "kerryexpress.com",
        "th.kerryexpress.com", "flashexpress.co.th", "ais.co.th", "ais.th", "true.th",
        "truecorp.co.th", "dtac.co.th", "pea.co.th", "mea.or.th", "pwa.co.th", "mwa.co.th",
        "nbtc.go.th", "lazada.co.th", "shopee.co.th",
    }
)  # fmt: skip

RISKY_TLDS = frozenset(
    {
        "top", "xyz", "vip", "club", "online", "site", "shop", "store", "app", "link", "click",
        "cyou", "buzz", "icu", "fun", "win", "bet", "live", "pro", "tk", "ml", "ga", "cf", "gq",
        "work", "rest", "bar", "monster", "sbs", "cfd", "quest", "lol", "today", "support", "help",
        "cc", "ws",
    }
)  # fmt: skip

_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@dataclass(frozen=True, slots=True)
class UrlRisk:
    """The risk of one URL: ``score`` in [0, 1], a ``verdict`` and the ``reasons`` for it."""

    url: str
    host: str
    registrable_domain: str
    score: float
    verdict: str  # official | low | suspicious | high
    brand: str | None = None
    shortener: bool = False
    official: bool = False
    reasons: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def _official_check() -> Callable[[str], bool] | None:
    """``tatsai.indicators.reference.is_official_domain`` once that module is there."""
    try:
        module = importlib.import_module("tatsai.indicators.reference")
    except ImportError:  # until indicators.reference lands on this branch
        return None
    check = getattr(module, "is_official_domain", None)
    return check if callable(check) else None


def is_official(registrable: str, host: str) -> bool:
    """True when ``host`` belongs to an official domain (the indicators reference decides)."""
    if registrable.endswith(".go.th") or registrable == "go.th":
        return True
    check = _official_check()
    if check is not None:
        return bool(check(host)) or bool(check(registrable))
    return registrable in _FALLBACK_OFFICIAL or host in _FALLBACK_OFFICIAL


@lru_cache(maxsize=1)
def shorteners() -> frozenset[str]:
    """Shortener domains: the CC-BY-SA list shipped in ``data/`` plus our own Thai additions."""
    names: set[str] = set()
    for file in ("url_shorteners.txt", "url_shorteners_th.txt"):
        text = resources.files("tatsai.screening").joinpath("data", file).read_text("utf-8")
        names.update(
            line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
        )
    return frozenset(names)


def _host_of(url: str) -> str:
    compact = re.sub(r"\s|\[|\]|\(|\)", "", url.strip())
    compact = re.sub(r"^h[tx]{2}p(s?):?/+", r"http\1://", compact, flags=re.IGNORECASE)
    if "://" not in compact:
        compact = "http://" + compact
    try:
        host = urlsplit(compact).hostname or ""
    except ValueError:
        host = ""
    return host.strip(".").lower()


def _ascii_skeleton(label: str) -> str:
    """The ASCII a human reads in ``label``: punycode decoded, homoglyphs mapped."""
    if label.startswith("xn--"):
        try:
            label = idna.decode(label)
        except idna.IDNAError:
            return label
    replace, _ = _lookup_tables()
    return "".join(chr(int(replace[ord(c)])) if ord(c) < len(replace) else c for c in label)


def _brand_word(words: list[str]) -> str | None:
    for word in words:
        if word in BRAND_TOKENS:
            return word
    return None


def _brand_inside(label: str) -> str | None:
    words = re.split(r"[-_.0-9]+", label)
    exact = _brand_word(words)
    if exact:
        return exact
    for token in sorted(BRAND_TOKENS, key=len, reverse=True):
        if len(token) > _SHORT and token in label:
            return token
    return next((t for t in _PREFIX_OK if label.startswith(t) and len(label) > len(t) + 2), None)


@lru_cache(maxsize=1)
def _official_labels() -> tuple[str, ...]:
    """The first label of every official domain (``kasikornbank`` of kasikornbank.com)."""
    domains: list[str] = list(_FALLBACK_OFFICIAL)
    try:
        module = importlib.import_module("tatsai.indicators.reference")
        domains = [
            str(entry.value)
            for entry in module.official_entries()
            if entry.type == "domain" and not str(entry.value).startswith("*")
        ]
    except (ImportError, AttributeError):  # until indicators.reference lands on this branch
        pass
    return tuple(sorted({d.split(".")[0] for d in domains if len(d.split(".")[0]) >= 4}))


def _lookalike(label: str) -> str | None:
    if len(label) < 4:
        return None
    budget = 1 if len(label) < 8 else 2
    candidates = [t for t in BRAND_TOKENS if len(t) >= 4]
    candidates += _official_labels()
    for token in candidates:
        if label != token and Levenshtein.distance(label, token, score_cutoff=budget) <= budget:
            return token
    return None


@lru_cache(maxsize=65536)
def assess(url: str) -> UrlRisk:
    """The risk of ``url`` (see the module docstring). Never raises on malformed input."""
    host = _host_of(url)
    if not host:
        return UrlRisk(url, "", "", 0.3, "suspicious", reasons=["no readable host"])
    parts = _EXTRACT(host)
    registrable = f"{parts.domain}.{parts.suffix}".strip(".") if parts.suffix else host
    reasons: list[str] = []
    score = 0.0
    brand: str | None = None
    shortener = registrable in shorteners() or host in shorteners()
    try:
        ipaddress.ip_address(host)
        score += 0.5
        reasons.append("host is a bare IP address")
    except ValueError:
        pass
    if is_official(registrable, host):
        return UrlRisk(url, host, registrable, 0.0, "official", official=True,
                       reasons=[f"{registrable} is an official domain"])  # fmt: skip
    label = parts.domain.lower()
    skeleton = _ascii_skeleton(label)
    if skeleton != label:
        hit = _brand_inside(skeleton) or _lookalike(skeleton)
        if hit or is_official(f"{skeleton}.{parts.suffix}", host):
            brand = hit or skeleton
            score = max(score, 0.9)
            reasons.append(f"homoglyph/IDN domain {label!r} reads as {skeleton!r}")
        else:
            score = max(score, 0.3)
            reasons.append("internationalized (non-ASCII) domain name")
    if brand is None and (token := _lookalike(label)):
        brand = token
        score = max(score, 0.8)
        reasons.append(f"{label!r} is one or two letters away from {token!r}")
    if brand is None and (token := _brand_inside(label)):
        brand = token
        score = max(score, 0.7)
        reasons.append(f"brand {token!r} inside unofficial domain {registrable!r}")
    if brand is None:
        words = re.split(r"[-_.0-9/]+", (parts.subdomain + "." + url.lower().split(host, 1)[-1]))
        token = (
            _brand_word(words)
            or next(
                (t for t in BRAND_TOKENS if len(t) > _SHORT and any(t in w for w in words)), None
            )
            or next(
                (t for t in _PREFIX_OK for w in words if w.startswith(t) and len(w) > len(t) + 2),
                None,
            )
        )
        if token:
            brand = token
            score = max(score, 0.5)
            reasons.append(f"brand {token!r} in the subdomain or path of {registrable!r}")
    if parts.suffix.split(".")[-1] in RISKY_TLDS:
        score += 0.3
        reasons.append(f"risky top-level domain .{parts.suffix}")
    if shortener:
        score += 0.2
        reasons.append(f"{registrable} is a link shortener: the destination is hidden")
    score = min(score, 1.0)
    verdict = "high" if score >= 0.7 else "suspicious" if score >= 0.3 else "low"
    if not reasons:
        reasons.append("no lookalike, shortener or risky-TLD signal")
    return UrlRisk(url, host, registrable, round(score, 3), verdict, brand, shortener, False,
                   reasons)  # fmt: skip
