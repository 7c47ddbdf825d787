r"""Loading the public message datasets and mapping their labels into screening's taxonomy.

Screening's labels are ``scam`` (fraud: impersonation, phishing, fake loans, job/task scams,
investment, illegal gambling, prize/lottery, mule recruitment), ``spam`` (unsolicited but legal
marketing, including operator VAS subscriptions) and ``ham`` (everything legitimate: personal
messages, OTPs, bank and operator notices). The mapping of each dataset (docs/model-card.md):

==================  ===========================  =========================================
dataset             its label                    screening label
==================  ===========================  =========================================
ssivakorn (MIT)     scam / spam / ok / otp       scam / spam* / ham / ham
Mishra–Soni (CC BY) smishing / spam / ham        scam / spam / ham
UCI (CC BY)         spam / ham                   scam / ham  (scam-vs-rest benchmark only)
ScamGuard (none)    1 / 0                        scam / ham  (evaluation only)
authored (ours)     scam / spam / ham            as written
==================  ===========================  =========================================

\* ssivakorn ``spam`` that lures with a prize or fortune into a premium-rate USSD subscription
(a ``*123#`` code or a per-message price, plus a prize/luck word: "ลุ้นรับค่าโทรฟรี 500บ. กด*184#
สมัครดวงรวย 3บ/ขค") maps to ``scam`` (category prize_lottery): the issue's taxonomy puts
prize/lottery lures under scam, Mishra–Soni relabelled UCI's premium-rate prize spam as smishing
for the same reason, and ScamGuard labels these messages scam. Plain operator promotions and
shop marketing stay ``spam``. See :func:`map_ssivakorn_label`.

Texts are de-duplicated on exact stripped text within each dataset (first label kept).
Readers never copy rows anywhere; they stream from ``../shared/data``.
"""

from __future__ import annotations

import csv
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from tatsai.core.errors import NotFound

LABELS = ("ham", "spam", "scam")
TRAINABLE = ("ssivakorn", "mishra_soni", "authored")
"""Sets whose licence lets the shipped model learn from them (UCI is kept for its benchmark)."""


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    label: str
    source: str
    original_label: str


def default_data_dir() -> Path:
    """``../shared/data`` beside the checkout, or one level up for a worktree inside a folder
    (``TATSAI_SHARED_DATA`` overrides)."""
    import os

    env = os.environ.get("TATSAI_SHARED_DATA")
    if env:
        return Path(env)
    repo = Path(__file__).resolve().parents[3]
    for candidate in (repo.parent / "shared" / "data", repo.parent.parent / "shared" / "data"):
        if candidate.exists():
            return candidate
    return repo.parent / "shared" / "data"


def _dedupe(examples: Iterator[Example]) -> list[Example]:
    seen: set[str] = set()
    out: list[Example] = []
    for example in examples:
        key = example.text.strip()
        if key and key not in seen:
            seen.add(key)
            out.append(example)
    return out


def _need(path: Path) -> Path:
    if not path.exists():
        raise NotFound(f"dataset file not found: {path}", field="data_dir")
    return path


_PREMIUM_RATE = re.compile(r"\*\d{2,4}[*\d]*#|\d\s*(บ|บาท)\.?\s*/\s*(ขค|sms|ข้อความ)")
_PRIZE_LURE = re.compile(r"ลุ้น|รางวัล|ฟรี|โชค|รวย|ทองคำ|เงินเข้า|บัตรเติมเงิน|ค่าโทร")


def map_ssivakorn_label(label: str, text: str) -> str:
    """ssivakorn's label in screening's taxonomy (see the module docstring)."""
    if label == "spam" and _PREMIUM_RATE.search(text) and _PRIZE_LURE.search(text):
        return "scam"
    return {"scam": "scam", "spam": "spam", "ok": "ham", "otp": "ham"}[label]


def load_ssivakorn(data_dir: Path) -> list[Example]:
    path = _need(data_dir / "thai_sms_ssivakorn" / "thai_sms_combined_dedup.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return _dedupe(
        Example(r["text"], map_ssivakorn_label(r["label"], r["text"]), "ssivakorn", r["label"])
        for r in rows
        if r["label"] in ("scam", "spam", "ok", "otp")
    )


def load_mishra_soni(data_dir: Path) -> list[Example]:
    path = _need(data_dir / "sms_phishing_mishra_soni_5971" / "Dataset_5971.csv")
    mapping = {"smishing": "scam", "spam": "spam", "ham": "ham"}
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return _dedupe(
        Example(r["TEXT"], mapping[r["label"].strip().lower()], "mishra_soni", r["label"])
        for r in rows
        if r["label"].strip().lower() in mapping
    )


def load_uci(data_dir: Path) -> list[Example]:
    path = _need(data_dir / "uci_sms_spam_collection" / "SMSSpamCollection")
    mapping = {"spam": "scam", "ham": "ham"}
    out: list[Example] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            label, _, text = line.rstrip("\n").partition("\t")
            if label in mapping:
                out.append(Example(text, mapping[label], "uci", label))
    return _dedupe(iter(out))


def load_scamguard(data_dir: Path) -> list[Example]:
    """Evaluation only: no licence is stated, never train a shipped model on it."""
    path = _need(data_dir / "thai_sms_scamguard_siriwanim" / "sms_dataset_utf8.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return _dedupe(
        Example(r["text"], "scam" if r["label"].strip() == "1" else "ham", "scamguard", r["label"])
        for r in rows
    )


def load_spamhunter_typed(data_dir: Path) -> list[Example]:
    """Evaluation only (no licence): 947 English-translated spam SMS, Fraud → scam, Ads → spam."""
    path = _need(data_dir / "sms_spam_spamhunter_tweets" / "tweet_spam_labelled_947.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return _dedupe(
        Example(
            r["SMS Translation"],
            "scam" if r["Category"] == "Fraud" else "spam",
            "spamhunter",
            r["Category"],
        )
        for r in rows
    )


def load_authored(kind: str = "train") -> list[Example]:
    """Messages written for this project (not copied from any dataset).

    ``kind="train"``: Thai agency-impersonation and mule-recruitment scams plus legitimate
    look-alikes, used in training. ``kind="legit_holdout"``: legitimate OTP, bank and operator
    notices kept out of training to measure the false-positive rate.
    """
    name = {"train": "authored_train.csv", "legit_holdout": "authored_legit_holdout.csv"}[kind]
    text = resources.files("tatsai.screening").joinpath("data", name).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    # label,category,text — the text is everything after the second comma (it may hold commas).
    rows = [line.split(",", 2) for line in lines[1:]]
    return [Example(text, label, "authored", category) for label, category, text in rows]


def training_set(data_dir: Path) -> list[Example]:
    """The shipped model's training data: licensed sets plus authored examples, shuffled."""
    examples = load_ssivakorn(data_dir) + load_mishra_soni(data_dir) + load_authored("train")
    examples = _dedupe(iter(examples))
    random.Random(0).shuffle(examples)  # noqa: S311 - a fixed, reproducible order, not secrecy
    return examples
