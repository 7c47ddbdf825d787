"""Quality of the mule model on IBM AMLSim samples, written to docs/evaluation.md.

Protocol (fixed, no tuning on the test set): train on ``20K_cycle200`` + ``20K_fanin200``,
test on ``20K_fanin200cycle200``; account-level precision, recall and F1 over every account of
the test set's ``nodes.csv`` (accounts with no transfer are predicted not mules). The baseline
is the same LightGBM on per-account degree and amount features only (BASELINE_FEATURES).

On the simulator's worlds (:func:`evaluate_worlds`): train on one world (seed), test on a
world of another seed; labels are ``truth_mule_accounts``. Trace recovery: every victim
transfer of the test world (``truth_victim_transfers``) is traced 5 hops / 72 h, once under
each attribution rule (FIFO, LIBR, earmarking with single outflows, earmarking with runs of
up to ``EARMARK_RUN`` outflows, the same keeping each mule's cut: :data:`TRACE_RULES`); its
*recovered share* is the traced money the trail places on the mule accounts of the gang
that received it (held there, or cashed out by them) over the transfer's amount. Money the
trail attributes to any other account, or does not reach within the hops and window, is
not recovered.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from tatsai.analytics.engine import EngineName, open_engine
from tatsai.analytics.money.features import BASELINE_FEATURES, FEATURES, account_features
from tatsai.analytics.money.io import load_transfers
from tatsai.analytics.money.model import train
from tatsai.analytics.money.trace import (
    EARMARK_DELAY_S,
    EARMARK_PAUSE_S,
    EARMARK_RUN,
    EARMARK_SKIP,
    EARMARK_TOLERANCE,
    Attribution,
    EarmarkCut,
    TransferIndex,
    trace,
)
from tatsai.core.errors import InvalidInput
from tatsai.sim.io import read_table, table_path
from tatsai.sim.schemas import TRANSFERS, TRUTH_MULE_ACCOUNTS, TRUTH_VICTIM_TRANSFERS

TRAIN_SETS = ("20K_cycle200", "20K_fanin200")
TEST_SET = "20K_fanin200cycle200"
BEGIN, END = "<!-- money:begin -->", "<!-- money:end -->"
#: The attribution rules traces are measured under: name -> (attribution, most outflows an
#: earmark may pay (1 = single outflows only), what becomes of a matched transfer's cut).
TRACE_RULES: dict[str, tuple[Attribution, int, EarmarkCut]] = {
    "fifo": ("fifo", 1, "mix"),
    "libr": ("libr", 1, "mix"),
    "earmark": ("earmark", 1, "mix"),
    "earmark-run": ("earmark", EARMARK_RUN, "mix"),
    "earmark-keep": ("earmark", EARMARK_RUN, "keep"),
}


@dataclass(frozen=True)
class Scores:
    name: str
    precision: float
    recall: float
    f1: float
    threshold: float


def _nodes(folder: Path) -> dict[str, int]:
    nodes = pacsv.read_csv(
        folder / "nodes.csv",
        convert_options=pacsv.ConvertOptions(column_types={"nodeid": pa.string()}),
    )
    return dict(
        zip(nodes.column("nodeid").to_pylist(), nodes.column("isFraud").to_pylist(), strict=True)
    )


def _features(folder: Path, engine_name: EngineName) -> pa.Table:
    transfers = load_transfers(folder / "transactions.csv", layout="amlsim")
    with open_engine(engine_name) as engine:
        return account_features(engine, transfers)


@dataclass(frozen=True)
class Diagnosis:
    """Test-set laundering accounts with and without any odd transfer (see features)."""

    fraud: int
    without_odd_transfer: int
    without_transfers: int
    without_fraud_step: int = 0


def diagnose(root: Path, *, engine_name: EngineName = "duckdb") -> Diagnosis:
    """How many labelled accounts of the test set show no transfer off their usual amount."""
    feats = _features(root / TEST_SET, engine_name)
    truth = _nodes(root / TEST_SET)
    odd = dict(
        zip(
            feats.column("account_id").to_pylist(),
            (np.asarray(feats.column("odd_in")) + np.asarray(feats.column("odd_out"))).tolist(),
            strict=True,
        )
    )
    fraud = [a for a, y in truth.items() if y == 1]
    nodes = pacsv.read_csv(
        root / TEST_SET / "nodes.csv",
        convert_options=pacsv.ConvertOptions(column_types={"nodeid": pa.string()}),
    )
    no_step = {
        a
        for a, flag, step in zip(
            nodes.column("nodeid").to_pylist(),
            nodes.column("isFraud").to_pylist(),
            nodes.column("fraudStep").to_pylist(),
            strict=True,
        )
        if flag == 1 and step < 0
    }
    return Diagnosis(
        len(fraud),
        sum(1 for a in fraud if odd.get(a, 0) == 0),
        sum(1 for a in fraud if a not in odd),
        len(no_step),
    )


def evaluate_amlsim(root: Path, *, engine_name: EngineName = "duckdb") -> list[Scores]:
    """Baseline and full model scores on the fixed protocol above."""
    train_feats = [_features(root / s, engine_name) for s in TRAIN_SETS]
    train_labels = []
    for name, feats in zip(TRAIN_SETS, train_feats, strict=True):
        truth = _nodes(root / name)
        train_labels.append(np.array([truth[a] for a in feats.column("account_id").to_pylist()]))
    test_feats = _features(root / TEST_SET, engine_name)
    truth = _nodes(root / TEST_SET)
    results = []
    for label, names in (("baseline: degree + amount", BASELINE_FEATURES), ("tatsai", FEATURES)):
        model = train(train_feats, train_labels, names=names)
        scores = dict(
            zip(test_feats.column("account_id").to_pylist(), model.predict(test_feats), strict=True)
        )
        y = np.array(list(truth.values()))
        predicted = np.array([scores.get(a, 0.0) >= model.threshold for a in truth])
        tp = float(np.sum(predicted & (y == 1)))
        precision = tp / max(float(predicted.sum()), 1.0)
        recall = tp / max(float(y.sum()), 1.0)
        f1 = 0.0 if tp == 0 else 2 * precision * recall / (precision + recall)
        results.append(Scores(label, precision, recall, f1, model.threshold))
    return results


@dataclass(frozen=True)
class WorldScores:
    """Mule scores and trace recovery on a test world (model trained on another world)."""

    models: list[Scores]  # at the trained (best out-of-fold F1) threshold
    at_p90: list[Scores]  # at the threshold for out-of-fold precision ≥ 0.90 (training world)
    recall_at_p90: list[float]  # per model: best recall at precision ≥ 0.90 along its ranking
    accounts: int
    mules: int
    victims: int
    traces: dict[str, TraceRecovery]  # per rule of TRACE_RULES

    @property
    def recovered(self) -> np.ndarray:
        """Per victim transfer, under the default rule (FIFO): recovered share (0..1)."""
        return self.traces["fifo"].recovered

    @property
    def paid(self) -> np.ndarray:
        return self.traces["fifo"].paid

    @property
    def recovered_amount(self) -> float:
        return self.traces["fifo"].recovered_amount


@dataclass(frozen=True)
class TraceRecovery:
    """How much of the victims' money the traces recover under one attribution rule."""

    attribution: str
    recovered: np.ndarray  # per victim transfer: recovered share (0..1)
    paid: np.ndarray  # per victim transfer: THB
    recovered_amount: float  # over all victim transfers: recovered THB / paid THB


def trace_recovery(
    transfers: pa.Table,
    gang_of: dict[str, str],
    victims: list[str],
    attribution: Attribution = "fifo",
    index: TransferIndex | None = None,
    earmark_run: int = 1,
    earmark_cut: EarmarkCut = "mix",
    earmark_skip: int = EARMARK_SKIP,
) -> TraceRecovery:
    """Trace every victim transfer 5 hops / 72 h and measure what reaches the receiving gang."""
    index = TransferIndex(transfers) if index is None else index
    dst_of = dict(
        zip(
            transfers.column("txn_id").to_pylist(),
            transfers.column("dst_account").to_pylist(),
            strict=True,
        )
    )
    shares, amounts, paid, recovered = [], [], 0.0, 0.0
    for txn in victims:
        trail = trace(
            index,
            txn=txn,
            hops=5,
            window_s=72 * 3600,
            attribution=attribution,
            earmark_run=earmark_run,
            earmark_cut=earmark_cut,
            earmark_skip=earmark_skip,
        )
        gang = gang_of.get(dst_of[txn] or "")
        on_path = sum(
            a.held + a.cashed_out
            for a in trail.accounts.values()
            if gang is not None and gang_of.get(a.account_id) == gang
        )
        shares.append(on_path / trail.traced_amount if trail.traced_amount > 0 else 0.0)
        amounts.append(trail.traced_amount)
        paid += trail.traced_amount
        recovered += on_path
    return TraceRecovery(
        attribution, np.array(shares), np.array(amounts), recovered / paid if paid > 0 else 0.0
    )


LABELS = {"fifo": "FIFO (default)", "libr": "LIBR", "earmark": "earmark"}


def recovery_rows(traces: dict[str, TraceRecovery], run: int = EARMARK_RUN) -> list[str]:
    """Markdown table rows, one per rule measured: share of victim transfers recovered
    (``run``: the most outflows in a run under ``earmark-run``)."""
    labels = {
        **LABELS,
        "earmark-run": f"earmark + runs (≤ {run} outflows)",
        "earmark-keep": f"earmark + runs (≤ {run} outflows), cut kept",
    }
    lines = []
    for rule, got in traces.items():
        if not len(got.recovered):
            continue
        rec = got.recovered
        lines.append(
            f"| {labels.get(rule, rule)} | {len(rec):,} | {np.mean(rec >= 0.95):.1%} "
            f"({int(np.sum(rec < 0.95))} below) | {np.median(rec):.3f} | "
            f"{np.percentile(rec, 5):.3f} | {rec.min():.3f} | {got.recovered_amount:.3f} |"
        )
    return lines


def load_world(folder: Path) -> tuple[pa.Table, dict[str, str], list[str]]:
    """A world's transfers, its mule accounts' gangs and its victim transfer ids."""
    paths = {}
    for table in (TRANSFERS, TRUTH_MULE_ACCOUNTS, TRUTH_VICTIM_TRANSFERS):
        found = table_path(folder, table.name)
        if found is None:
            raise InvalidInput(f"{folder} has no {table.name} table", field="world")
        paths[table.name] = found
    transfers = read_table(paths["transfers"], TRANSFERS)
    mules = read_table(paths["truth_mule_accounts"], TRUTH_MULE_ACCOUNTS)
    victims = read_table(paths["truth_victim_transfers"], TRUTH_VICTIM_TRANSFERS)
    gang_of = dict(
        zip(
            mules.column("account_id").to_pylist(), mules.column("gang_id").to_pylist(), strict=True
        )
    )
    return transfers, gang_of, victims.column("txn_id").to_pylist()


def _scores(name: str, y: np.ndarray, score: np.ndarray, threshold: float) -> Scores:
    predicted = score >= threshold
    tp = float(np.sum(predicted & (y == 1)))
    precision = tp / max(float(predicted.sum()), 1.0)
    recall = tp / max(float(y.sum()), 1.0)
    f1 = 0.0 if tp == 0 else 2 * precision * recall / (precision + recall)
    return Scores(name, precision, recall, f1, threshold)


def recall_at_precision(y: np.ndarray, score: np.ndarray, floor: float = 0.90) -> float:
    """Best recall over all thresholds whose precision is at least ``floor`` (0 when none)."""
    order = np.argsort(-score, kind="stable")
    hits = np.cumsum(y[order] == 1)
    # Only cut between distinct scores: ties are all in or all out.
    last = np.r_[score[order][1:] != score[order][:-1], True]
    precision = hits / np.arange(1, len(y) + 1)
    ok = last & (precision >= floor)
    return float(hits[ok].max() / max(y.sum(), 1)) if ok.any() else 0.0


def evaluate_worlds(train_world: Path, test_world: Path) -> WorldScores:
    """Train on ``train_world``, score ``test_world``'s accounts and trace its victims."""
    train_transfers, train_gangs, _ = load_world(train_world)
    with open_engine("duckdb") as engine:
        train_feats = account_features(engine, train_transfers)
    del train_transfers
    train_y = np.array([a in train_gangs for a in train_feats.column("account_id").to_pylist()])
    transfers, gang_of, victims = load_world(test_world)
    with open_engine("duckdb") as engine:
        test_feats = account_features(engine, transfers)
    ids = test_feats.column("account_id").to_pylist()
    # Every labelled mule counts; one with no transfer is scored 0 (never flagged).
    missing = sorted(set(gang_of) - set(ids))
    y = np.r_[np.array([a in gang_of for a in ids], dtype=int), np.ones(len(missing), int)]
    models, p90, at_p90 = [], [], []
    for label, names in (("baseline: degree + amount", BASELINE_FEATURES), ("tatsai", FEATURES)):
        model = train([train_feats], [train_y.astype(int)], names=names)
        score = np.r_[model.predict(test_feats), np.zeros(len(missing))]
        models.append(_scores(label, y, score, model.threshold))
        p90.append(_scores(label, y, score, float(model.facts["threshold_p90"])))
        at_p90.append(recall_at_precision(y, score))
    index = TransferIndex(transfers)
    traces: dict[str, TraceRecovery] = {
        name: trace_recovery(transfers, gang_of, victims, rule, index, run, cut)
        for name, (rule, run, cut) in TRACE_RULES.items()
    }
    return WorldScores(models, p90, at_p90, len(y), int(y.sum()), len(victims), traces)


def render_world(result: WorldScores, train_world: Path, test_world: Path) -> list[str]:
    """Markdown lines for the simulator-world section of the money block."""
    share = result.recovered
    lines = [
        "",
        "## Money: the simulator's medium world (mules and traces)",
        "",
        f"Train on `{train_world}`, test on `{test_world}` (another seed: other people, "
        f"gangs and mules). Test world: {result.accounts:,} accounts, {result.mules:,} mule "
        f"accounts, {result.victims:,} victim transfers.",
        "",
        "| model | threshold rule | threshold | precision | recall | F1 |",
        "|---|---|---|---|---|---|",
    ]
    for rule, rows in (
        ("best out-of-fold F1", result.models),
        ("out-of-fold precision ≥ 0.90", result.at_p90),
    ):
        for r in rows:
            lines.append(
                f"| {r.name} | {rule} | {r.threshold:.3f} | {r.precision:.3f} | "
                f"{r.recall:.3f} | {r.f1:.3f} |"
            )
    ours = result.at_p90[-1]
    met = ours.recall >= 0.95 and ours.precision >= 0.90
    ranking = ", ".join(
        f"{r.name} {p:.3f}" for r, p in zip(result.models, result.recall_at_p90, strict=True)
    )
    lines += [
        "",
        "Both thresholds are chosen on out-of-fold scores of the training world (3 folds); the "
        "second is the lowest whose precision there is at least 0.90, the operating point the "
        "target names. For reference, the best recall at precision ≥ 0.90 anywhere along the "
        f"test world's ranking (no threshold anyone could have chosen beforehand): {ranking}.",
        "",
        f"Target: mule recall ≥ 0.95 at precision ≥ 0.90 — **{'met' if met else 'missed'}** "
        f"(recall {ours.recall:.3f} at precision {ours.precision:.3f}; at the best-F1 "
        f"threshold recall {result.models[-1].recall:.3f} at precision "
        f"{result.models[-1].precision:.3f}).",
        "",
        "Traces (5 hops, 72 h from each victim transfer; recovered share = traced money the "
        "trail places on the receiving gang's mule accounts, held or cashed out, over the "
        "amount paid). Earmarking matches an outflow to an incoming transfer when it leaves "
        f"within {EARMARK_DELAY_S / 3600:g} h and is worth {1 - EARMARK_TOLERANCE:.0%} to "
        "100 % of it (defaults, chosen on the training world; FIFO for everything else); "
        f"with runs, or a run of 2 to {EARMARK_RUN} consecutive free outflows whose sum is, "
        f"whichever ends first (when nothing fits, with up to {EARMARK_SKIP} others between "
        "its first and last; runs whose parts leave within "
        f"{EARMARK_PAUSE_S // 60} min of each other first; a cash-out in pieces of any "
        "number); with the "
        "cut kept, the traced part of what a matched transfer leaves behind stays on its "
        "account:",
        "",
        "| attribution | victim transfers | recovered ≥ 95 % | median share | 5th percentile | "
        "lowest | by amount |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += recovery_rows(result.traces)
    every = bool(len(share)) and bool(np.all(share >= 0.95))
    low = share < 0.95
    lines += [
        "",
        f"Target: traces recover ≥ 95 % of each victim's money path — "
        f"**{'met' if every else 'missed'}** ({np.mean(share >= 0.95):.1%} of victim "
        f"transfers reach it; {int(low.sum())} do not; default FIFO attribution).",
    ]
    for rule, label, flags in (
        ("libr", "LIBR", "--attribution libr"),
        ("earmark", "earmarking of single outflows", "--attribution earmark --earmark-run 1"),
        (
            "earmark-run",
            "earmarking with runs",
            f"--attribution earmark --earmark-run {EARMARK_RUN}",
        ),
        (
            "earmark-keep",
            "earmarking with runs, keeping each mule's cut",
            f"--attribution earmark --earmark-run {EARMARK_RUN} --earmark-cut keep",
        ),
    ):
        other = result.traces.get(rule)
        if other is None or not len(other.recovered):
            continue
        other_low = other.recovered < 0.95
        lines[-1] += (
            f" Under {label} (`{flags}`): "
            f"**{'met' if not other_low.any() else 'missed'}** "
            f"({np.mean(~other_low):.1%}; {int(other_low.sum())} do not)."
        )
    if low.any():
        lines += [
            "",
            f"The {int(low.sum())} below 95 % (FIFO) are small payments (median "
            f"{np.median(result.paid[low]):,.0f} THB; all victim transfers: median "
            f"{np.median(result.paid):,.0f} THB). In the cases inspected the first mule was an "
            "ordinary person's lent account whose own everyday payment left before the "
            "gang's forward: with the balance known, FIFO gives that outflow the victim's "
            "money, and the trail follows it to ordinary accounts.",
        ]
    return lines


def render(
    results: list[Scores],
    command: str,
    diagnosis: Diagnosis | None = None,
    world: list[str] | None = None,
) -> str:
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        BEGIN,
        "## Money: mule accounts on IBM AMLSim (account level)",
        "",
        f"Train 20K_cycle200 + 20K_fanin200, test 20K_fanin200cycle200. {when}, 2-core 24 GB "
        "machine (shared). Threshold chosen on out-of-fold training scores.",
        f"Command: `{command}`",
        "",
        "| model | precision | recall | F1 | threshold |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.name} | {r.precision:.3f} | {r.recall:.3f} | {r.f1:.3f} | {r.threshold:.3f} |"
        )
    lines += ["", "Target: F1 ≥ 0.95."]
    if diagnosis is not None:
        lines += [
            "",
            f"Why the target is missed: {diagnosis.without_odd_transfer} of the test set's "
            f"{diagnosis.fraud} laundering accounts ({diagnosis.without_transfers} with no "
            "transfer at all) make no transfer that differs from the sender's usual amount: "
            "in this AMLSim version their pattern transactions are absent, so they look like "
            "ordinary (if busier) accounts. Both models flag accounts with pattern evidence "
            f"(precision {min(r.precision for r in results):.2f} or better); recall is bounded "
            "by the share of accounts that has any. "
            f"{diagnosis.without_fraud_step} of the {diagnosis.fraud} have `fraudStep` -1 in "
            "nodes.csv (no laundering step was simulated for them). Motif features (windowed "
            "cycles, fan-in/out, scatter-gather, chains, flagged neighbours by direction) and "
            "a two-stage model on neighbours' scores (tried, not shipped: +0.005 F1) rank those "
            "accounts above ordinary ones only weakly (ROC AUC about 0.82 among accounts "
            "without an odd transfer), far from what F1 ≥ 0.95 needs.",
        ]
    lines += world or []
    lines.append(END)
    return "\n".join(lines)


def write_block(doc: Path, block: str) -> None:
    """Replace this context's block in ``doc`` (created with a heading when missing)."""
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Evaluation\n"
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    doc.write_text(text, encoding="utf-8")
