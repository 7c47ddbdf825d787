"""Screening in-process: ``screen_texts(texts, lookup_fn=None) -> list[ScreenResult]``.

The verdict of a message combines, in this order of authority:

1. **Unreadable** input (empty, binary, no letters) → ``unknown`` with the reason.
2. **Registry hits** (when a ``lookup_fn`` is given): an extracted indicator whose verdict is
   ``block`` makes the message ``scam``; ``warn`` lifts the scam score to at least 0.7 and makes it
   ``scam`` when the classifier already gives scam ≥ 0.2; ``allow`` on a URL removes that URL's
   risk. Screening never imports the registry: the caller passes the lookup.
3. **URL risk**: a link scored ``high`` (a lookalike of a Thai brand or official domain) makes
   the message ``scam``.
4. **Classifier**: calibrated probabilities of ham/spam/scam; ``scam`` when P(scam) reaches the
   model's ``scam_threshold`` (chosen at training time, default :data:`SCAM_THRESHOLD`), else
   the likelier of ham and spam.

``score`` is the final scam score in [0, 1]; ``category`` is set for scam verdicts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from tatsai.screening.categories import scam_category
from tatsai.screening.features import UrlSummary, featurize
from tatsai.screening.model import LinearScreeningModel, shipped_model_dir
from tatsai.screening.normalize import NormalizedBatch, is_unreadable, normalize_batch
from tatsai.screening.urlrisk import UrlRisk, assess

SCAM_THRESHOLD = 0.5
HIGH_URL_RISK = 0.7


class RegistryHit(Protocol):
    """What a lookup returns: at least a verdict in {block, warn, allow, unknown}."""

    verdict: str


LookupFn = Callable[[str, str], Any]
"""``lookup_fn(type, value)`` → None or an object with ``.verdict`` (and maybe ``.categories``)."""


@dataclass(slots=True)
class ScreenResult:
    """The screening of one message."""

    verdict: str  # scam | spam | ham | unknown
    score: float  # scam score in [0, 1]
    category: str | None
    reasons: list[str]
    probabilities: dict[str, float] = field(default_factory=dict)
    urls: list[UrlRisk] = field(default_factory=list)


@lru_cache(maxsize=4)
def load_model(directory: Path | None = None) -> LinearScreeningModel:
    """The shipped model (or one in ``directory``), loaded once per process."""
    return LinearScreeningModel.load(directory or shipped_model_dir())


def url_summary(batch: NormalizedBatch) -> tuple[UrlSummary, list[list[UrlRisk]]]:
    """URL risk of every link in every message, and the per-message summary features."""
    n = len(batch)
    summary = UrlSummary.empty(n)
    risks: list[list[UrlRisk]] = []
    for row, urls in enumerate(batch.urls):
        assessed = [assess(url) for url in urls]
        risks.append(assessed)
        if assessed:
            summary.risk[row] = max(r.score for r in assessed)
            summary.shortener[row] = any(r.shortener for r in assessed)
            summary.official[row] = any(r.official for r in assessed)
    return summary, risks


def _signal_reasons(batch_meta: list[float]) -> list[str]:
    reasons: list[str] = []
    if batch_meta[2] > 0:
        reasons.append("USSD subscription code")
    if batch_meta[3] > 0:
        reasons.append("asks to add a LINE ID")
    if batch_meta[5] > 0:
        reasons.append("masked number")
    if batch_meta[6] > 0:
        reasons.append("homoglyph characters (look-alike letters from other scripts)")
    return reasons


def _registry_hits(
    text: str, urls: list[UrlRisk], lookup_fn: LookupFn
) -> list[tuple[str, str, str]]:
    """(type, value, verdict) for every extracted indicator the registry knows."""
    candidates: list[tuple[str, str]] = []
    try:
        from tatsai.indicators.extract import extract_indicators

        candidates = [(f.type, f.value) for f in extract_indicators(text)]
    except NotImplementedError:  # pragma: no cover - extraction lands with the indicators branch
        candidates = [("url", u.host) for u in urls if u.host]
    hits: list[tuple[str, str, str]] = []
    for kind, value in candidates:
        hit = lookup_fn(kind, value)
        verdict = getattr(hit, "verdict", None) if hit is not None else None
        if verdict in ("block", "warn", "allow"):
            hits.append((kind, value, str(verdict)))
    return hits


def screen_texts(
    texts: Sequence[str],
    *,
    lookup_fn: LookupFn | None = None,
    model: LinearScreeningModel | None = None,
) -> list[ScreenResult]:
    """Screen every text (see the module docstring); results in input order, never raises."""
    model = model or load_model()
    results: list[ScreenResult | None] = [None] * len(texts)
    readable: list[int] = []
    for index, text in enumerate(texts):
        why = is_unreadable(text) if isinstance(text, str) else "not text"
        if why is None:
            readable.append(index)
        else:
            results[index] = ScreenResult("unknown", 0.0, None, [why])
    if readable:
        batch = normalize_batch([texts[i] for i in readable])
        summary, risks = url_summary(batch)
        features = featurize(batch, summary)
        proba = model.predict_proba(features)
        labels = model.labels
        scam_col, ham_col, spam_col = (labels.index(x) for x in ("scam", "ham", "spam"))
        rounded = proba.round(4).tolist()
        threshold = float(model.metadata.get("scam_threshold", SCAM_THRESHOLD))
        meta_rows = features.meta.tolist()
        for row, index in enumerate(readable):
            p = rounded[row]
            probabilities = dict(zip(labels, p, strict=True))
            score = p[scam_col]
            url_risks = risks[row]
            reasons: list[str] = []
            if lookup_fn is not None:
                hits = _registry_hits(texts[index], url_risks, lookup_fn)
                allowed = {v for _, v, verdict in hits if verdict == "allow"}
                url_risks = [u for u in url_risks if u.host not in allowed and u.url not in allowed]
            else:
                hits = []
            worst = max(url_risks, key=lambda u: u.score, default=None)
            if score >= threshold:
                verdict = "scam"
                reasons.append(f"classifier: scam probability {score:.2f}")
            else:
                verdict = "spam" if p[spam_col] > p[ham_col] else "ham"
                reasons.append(f"classifier: {verdict} (scam probability {score:.2f})")
            if worst is not None and worst.score >= HIGH_URL_RISK:
                verdict = "scam"
                score = max(score, worst.score)
                reasons.append(f"risky link {worst.host}: " + "; ".join(worst.reasons))
            for kind, value, hit in hits:
                if hit == "block":
                    verdict, score = "scam", 1.0
                    reasons.append(f"registry blocks {kind} {value}")
                elif hit == "warn":
                    if p[scam_col] >= 0.2:
                        verdict = "scam"
                    score = max(score, 0.7)
                    reasons.append(f"registry warns about {kind} {value}")
                else:
                    reasons.append(f"registry allows {kind} {value}")
            reasons.extend(_signal_reasons(meta_rows[row]))
            category = None
            if verdict == "scam":
                brand = worst.brand if worst is not None else None
                category = scam_category(batch.folded[row], lookalike_brand=brand)
            results[index] = ScreenResult(
                verdict, score, category, reasons, probabilities, risks[row]
            )
    return [r for r in results if r is not None]


def screen_text(text: str, *, lookup_fn: LookupFn | None = None) -> ScreenResult:
    """Screen one message."""
    return screen_texts([text], lookup_fn=lookup_fn)[0]
