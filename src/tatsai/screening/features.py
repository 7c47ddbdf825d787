"""Features of a normalized batch: hashed character n-grams plus a few message-level signals.

Everything here is vectorized over the whole batch (one numpy pass per n-gram length), which is
what lets the classifier screen tens of thousands of messages per second on one core.

Contract:

* Character n-grams of lengths :data:`NGRAM_LENGTHS` over each normalized message (never across
  two messages), hashed with a fixed polynomial hash into :data:`N_BUCKETS` columns. Each
  occurrence weighs ``1 / sqrt(number of n-grams in the message)`` so long and short messages
  sit on one scale. The hash is deterministic across processes and machines (no Python ``hash``).
* Then :data:`META_FEATURES` dense columns in ``[0, 1]``: counts of placeholders (links, phone
  numbers, USSD codes, LINE IDs, emoji, masked numbers, each capped at 3 and divided by 3),
  homoglyphs present, the share of Thai letters, log length, and the URL-risk summary
  supplied by the caller (highest risk, shortener present, official domain present).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    import scipy.sparse as sp

from tatsai.screening.normalize import (
    EMOJI,
    LINE,
    MASKED,
    PHONE,
    SEPARATOR,
    URL,
    USSD,
    NormalizedBatch,
)

HASH_BITS = 20
N_BUCKETS = 1 << HASH_BITS
NGRAM_LENGTHS = (1, 2, 3, 4, 5)
_PRIME = np.uint32(1_000_003)
_GOLDEN = np.uint32(0x9E3779B1)
_SHIFT = np.uint32(32 - HASH_BITS)
# Column 0 is reserved for n-grams that cross a message boundary; its weight stays zero.
DEAD = 0

META_FEATURES = (
    "links",
    "phones",
    "ussd_codes",
    "line_ids",
    "emoji",
    "masked_numbers",
    "homoglyphs",
    "thai_share",
    "log_length",
    "url_risk",
    "shortener",
    "official_domain",
)
N_FEATURES = N_BUCKETS + len(META_FEATURES)


@dataclass(frozen=True, slots=True)
class UrlSummary:
    """What URL risk found in each message of a batch (arrays of the batch's length, in [0, 1])."""

    risk: NDArray[np.float64]
    shortener: NDArray[np.float64]
    official: NDArray[np.float64]

    @classmethod
    def empty(cls, n: int) -> UrlSummary:
        zeros = np.zeros(n, dtype=np.float64)
        return cls(zeros, zeros.copy(), zeros.copy())


@dataclass(frozen=True, slots=True)
class Features:
    """A batch's features: hashed n-gram columns by n-gram length, plus a dense meta block.

    ``ngram_cols[k][i]`` is the column of the n-gram starting at position ``i`` of the batch's
    joined code points, and ``row_of[i]`` the message it belongs to; an n-gram that would cross
    into the next message points at :data:`DEAD`, a column whose weight is always zero.
    ``scale[r]`` is the weight of each n-gram occurrence in message ``r``; repeats add up.
    """

    n_rows: int
    row_of: NDArray[np.intp]
    ngram_cols: list[NDArray[np.uint32]]
    scale: NDArray[np.float64]
    meta: NDArray[np.float64]

    def matrix(self) -> sp.csr_matrix:
        """The (n_rows, N_FEATURES) sparse matrix, for training (DEAD entries dropped)."""
        import scipy.sparse as sp  # training only: screening never pays scipy's import time

        rows = np.concatenate([self.row_of[: len(c)] for c in self.ngram_cols])
        cols = np.concatenate(self.ngram_cols)
        keep = cols != DEAD
        rows, cols = rows[keep], cols[keep]
        meta_rows, meta_cols = np.nonzero(self.meta)
        all_rows = np.concatenate([rows, meta_rows])
        all_cols = np.concatenate([cols, meta_cols + N_BUCKETS])
        values = np.concatenate([self.scale[rows], self.meta[meta_rows, meta_cols]])
        return sp.csr_matrix((values, (all_rows, all_cols)), shape=(self.n_rows, N_FEATURES))

    def dot(self, weights_t: NDArray[np.float32]) -> NDArray[np.float64]:
        """``matrix() @ weights_t.T`` for a (k, N_FEATURES) weight matrix, without building it.

        One gather and one ``bincount`` per class and n-gram length: the fast path for screening.
        ``weights_t[:, DEAD]`` must be zero.
        """
        k = weights_t.shape[0]
        out = np.zeros((self.n_rows, k), dtype=np.float64)
        for j in range(k):
            row_weights = weights_t[j]
            for cols in self.ngram_cols:
                out[:, j] += np.bincount(
                    self.row_of[: len(cols)], weights=row_weights[cols], minlength=self.n_rows
                )[: self.n_rows]
        out *= self.scale[:, None]
        out += self.meta @ weights_t[:, N_BUCKETS:].T.astype(np.float64)
        return out


def featurize(batch: NormalizedBatch, urls: UrlSummary | None = None) -> Features:
    """The features of every message in ``batch`` (see the module docstring)."""
    n = len(batch)
    urls = urls or UrlSummary.empty(n)
    codepoints = batch.codepoints
    cp = np.asarray(codepoints, dtype=np.uint32)
    length = len(cp)
    is_separator = codepoints == ord(SEPARATOR)
    separators = np.flatnonzero(is_separator)
    # Message index of each position; a separator belongs to the message it ends.
    row_of = (np.cumsum(is_separator) - is_separator).astype(np.intp)
    ngram_cols: list[NDArray[np.uint32]] = []
    counts = np.zeros(n, dtype=np.float64)
    lengths = np.diff(np.concatenate([[-1], separators, [length]])) - 1
    rolling = np.zeros(length, dtype=np.uint32)
    for size in range(1, max(NGRAM_LENGTHS) + 1):
        span = length - size + 1
        if span <= 0:
            break
        rolling = rolling[:span] * _PRIME + cp[size - 1 :]
        if size not in NGRAM_LENGTHS:
            continue
        cols = ((rolling ^ np.uint32(size)) * _GOLDEN) >> _SHIFT
        # n-grams starting at p with p <= s < p + size contain separator s: dead.
        crossing = (separators[:, None] - np.arange(size)[None, :]).ravel()
        crossing = crossing[(crossing >= 0) & (crossing < span)]
        cols[crossing] = DEAD
        ngram_cols.append(cols)
        counts += np.maximum(lengths - size + 1, 0)
    scale = 1.0 / np.sqrt(np.maximum(counts, 1.0))

    meta = np.zeros((n, len(META_FEATURES)), dtype=np.float64)
    for column, placeholder in enumerate((URL, PHONE, USSD, LINE, EMOJI, MASKED)):
        hits = np.bincount(row_of[codepoints == ord(placeholder)], minlength=n)[:n]
        meta[:, column] = np.minimum(hits, 3) / 3.0
    meta[:, 6] = batch.homoglyphs > 0
    thai = (codepoints >= 0x0E00) & (codepoints < 0x0E80)
    thai_count = np.bincount(row_of[thai], minlength=n)[:n]
    char_count = np.bincount(row_of[~is_separator], minlength=n)[:n].astype(np.float64)
    meta[:, 7] = thai_count / np.maximum(char_count, 1.0)
    meta[:, 8] = np.minimum(np.log1p(char_count) / 6.0, 1.0)
    meta[:, 9] = urls.risk
    meta[:, 10] = urls.shortener
    meta[:, 11] = urls.official
    return Features(n_rows=n, row_of=row_of, ngram_cols=ngram_cols, scale=scale, meta=meta)
