"""A BM25 index over postings in NumPy arrays: built once, extended one issue at a time.

Layout: a compressed sparse column structure (one column per term, ``indptr``
/ ``rows`` / ``tf``) for every document present at the last compaction, plus a
small list of documents added since. Scores are computed from the raw term
frequencies at query time, so the idf and the average document length always
reflect every document, and adding documents one by one gives the same scores
as rebuilding from scratch.

A query touches only the postings of its own terms: the cost is proportional to
how many documents share a term with the query, not to the corpus size.

NumPy is imported lazily (the module is imported by the webhook handler).
"""

from __future__ import annotations

import io
import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

IdfKind = Literal["lucene", "okapi"]

FORMAT_VERSION = 1
#: documents added since the last compaction are merged into the columns past this many
COMPACT_AFTER = 2000
#: max_df_ratio applies from this many documents on
PRUNE_MIN_DOCS = 1000


@dataclass(frozen=True, slots=True)
class Bm25Params:
    k1: float = 1.2
    b: float = 0.75
    #: "lucene": log(1 + (N-n+.5)/(n+.5)), never negative; "okapi": rank_bm25's BM25Okapi
    #: (log((N-n+.5)/(n+.5)), negatives floored at epsilon x the mean idf)
    idf: IdfKind = "lucene"
    epsilon: float = 0.25
    #: score only the query's this many heaviest terms (idf x query frequency); 0 = all.
    #: Long issue bodies have hundreds of terms; the common ones cost the most and weigh least.
    max_query_terms: int = 0
    #: skip query terms found in more than this share of the documents (1.0 = keep all):
    #: their idf is near zero while their postings are the longest
    max_df_ratio: float = 1.0


class PostingIndex:
    """Term -> (document, frequency) postings with incremental adds."""

    def __init__(self) -> None:
        import numpy as np

        self.vocab: dict[str, int] = {}
        self.terms: list[str] = []
        self._df: list[int] = []
        self.n_docs = 0
        self._doc_len: list[float] = []
        self.total_len = 0.0
        # compacted columns
        self._indptr: NDArray[np.int64] = np.zeros(1, dtype=np.int64)
        self._rows: NDArray[np.int32] = np.zeros(0, dtype=np.int32)
        self._tf: NDArray[np.float32] = np.zeros(0, dtype=np.float32)
        self._n_compact_docs = 0
        # documents added since: (term ids, frequencies)
        self._pending: list[tuple[list[int], list[int]]] = []
        self._pending_cols: dict[int, tuple[list[int], list[int]]] | None = None
        self._doc_len_arr: NDArray[np.float32] | None = None
        self._df_arr: NDArray[np.float64] | None = None
        self._forward: tuple[Any, Any] | None = None

    # --- building ---------------------------------------------------------
    def add(self, doc_tokens: Sequence[str]) -> int:
        """Add one document; returns its id (0, 1, 2 … in order of adding)."""
        counts = Counter(doc_tokens)
        ids: list[int] = []
        freqs: list[int] = []
        for term, n in counts.items():
            tid = self.vocab.get(term)
            if tid is None:
                tid = len(self.terms)
                self.vocab[term] = tid
                self.terms.append(term)
                self._df.append(0)
            self._df[tid] += 1
            ids.append(tid)
            freqs.append(n)
        self._pending.append((ids, freqs))
        if self._pending_cols is not None:
            # keep the column view of pending documents current instead of rebuilding it
            doc = self.n_docs
            for t, f in zip(ids, freqs, strict=True):
                r, v = self._pending_cols.setdefault(t, ([], []))
                r.append(doc)
                v.append(f)
        self._doc_len.append(float(len(doc_tokens)))
        self._doc_len_arr = None
        self._df_arr = None
        self.total_len += len(doc_tokens)
        self.n_docs += 1
        if len(self._pending) >= COMPACT_AFTER:
            self.compact()
        return self.n_docs - 1

    def add_many(self, docs: Iterable[Sequence[str]]) -> None:
        for d in docs:
            self.add(d)
        self.compact()

    def compact(self) -> None:
        """Merge the documents added since the last compaction into the columns."""
        if not self._pending:
            return
        import numpy as np

        n_terms = len(self.terms)
        old_counts = np.diff(self._indptr)
        if len(old_counts) < n_terms:
            old_counts = np.concatenate([old_counts, np.zeros(n_terms - len(old_counts), np.int64)])
        new_tids = np.fromiter((t for ids, _ in self._pending for t in ids), dtype=np.int64)
        new_tf = np.fromiter((f for _, fs in self._pending for f in fs), dtype=np.float32)
        new_rows = np.fromiter(
            (self._n_compact_docs + i for i, (ids, _) in enumerate(self._pending) for _ in ids),
            dtype=np.int32,
        )
        new_counts = np.bincount(new_tids, minlength=n_terms)
        indptr = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(old_counts + new_counts, out=indptr[1:])
        total = int(indptr[-1])
        rows = np.empty(total, dtype=np.int32)
        tf = np.empty(total, dtype=np.float32)
        # old postings keep their place at the start of each column
        old_n = len(self._rows)
        if old_n:
            old_cols = np.repeat(np.arange(len(self._indptr) - 1), np.diff(self._indptr))
            offs = np.arange(old_n) - self._indptr[old_cols]
            dest = indptr[old_cols] + offs
            rows[dest] = self._rows
            tf[dest] = self._tf
        # new postings after them, in document order (a stable sort by term)
        order = np.argsort(new_tids, kind="stable")
        sorted_t = new_tids[order]
        start_new = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(new_counts, out=start_new[1:])
        rank = np.arange(len(sorted_t)) - start_new[sorted_t]
        dest = indptr[sorted_t] + old_counts[sorted_t] + rank
        rows[dest] = new_rows[order]
        tf[dest] = new_tf[order]
        self._indptr, self._rows, self._tf = indptr, rows, tf
        self._forward = None
        self._n_compact_docs = self.n_docs
        self._pending = []
        self._pending_cols = None

    # --- reading ----------------------------------------------------------
    def doc_len(self) -> NDArray[np.float32]:
        import numpy as np

        if self._doc_len_arr is None or len(self._doc_len_arr) != self.n_docs:
            self._doc_len_arr = np.asarray(self._doc_len, dtype=np.float32)
        return self._doc_len_arr

    def df(self) -> NDArray[np.float64]:
        import numpy as np

        if self._df_arr is None or len(self._df_arr) != len(self._df):
            self._df_arr = np.asarray(self._df, dtype=np.float64)
        return self._df_arr

    def postings(self, tid: int) -> tuple[NDArray[np.int32], NDArray[np.float32]]:
        """Rows and frequencies of term ``tid`` over every document (compacted and pending)."""
        import numpy as np

        if tid + 1 < len(self._indptr):
            lo, hi = int(self._indptr[tid]), int(self._indptr[tid + 1])
            rows, tf = self._rows[lo:hi], self._tf[lo:hi]
        else:
            rows, tf = self._rows[:0], self._tf[:0]
        if self._pending:
            cols = self._pending_columns()
            extra = cols.get(tid)
            if extra:
                rows = np.concatenate([rows, np.asarray(extra[0], dtype=np.int32)])
                tf = np.concatenate([tf, np.asarray(extra[1], dtype=np.float32)])
        return rows, tf

    def _pending_columns(self) -> dict[int, tuple[list[int], list[int]]]:
        if self._pending_cols is None:
            cols: dict[int, tuple[list[int], list[int]]] = {}
            for i, (ids, freqs) in enumerate(self._pending):
                doc = self._n_compact_docs + i
                for t, f in zip(ids, freqs, strict=True):
                    r, v = cols.setdefault(t, ([], []))
                    r.append(doc)
                    v.append(f)
            self._pending_cols = cols
        return self._pending_cols

    def doc_terms(self, doc: int) -> set[str]:
        """Terms of one document (for evidence), from a forward view built on first use."""
        if doc >= self._n_compact_docs:
            ids, _ = self._pending[doc - self._n_compact_docs]
            return {self.terms[t] for t in ids}
        import numpy as np

        if self._forward is None:
            # one stable sort of the postings by document: document -> its term ids
            cols = np.repeat(np.arange(len(self._indptr) - 1), np.diff(self._indptr))
            order = np.argsort(self._rows, kind="stable")
            starts = np.searchsorted(self._rows[order], np.arange(self._n_compact_docs + 1))
            self._forward = (cols[order].astype(np.int32), starts)
        terms, starts = self._forward
        return {self.terms[int(t)] for t in terms[starts[doc] : starts[doc + 1]]}

    # --- persistence ------------------------------------------------------
    def to_bytes(self) -> bytes:
        import numpy as np

        self.compact()
        buf = io.BytesIO()
        meta = {"format": FORMAT_VERSION, "terms": self.terms}
        np.savez_compressed(
            buf,
            meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
            df=np.asarray(self._df, dtype=np.int64),
            doc_len=np.asarray(self._doc_len, dtype=np.float32),
            indptr=self._indptr,
            rows=self._rows,
            tf=self._tf,
        )
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> PostingIndex:
        """Load :meth:`to_bytes` output; anything unreadable raises ValueError."""
        try:
            return cls._from_bytes(data)
        except ValueError:
            raise
        except Exception as exc:  # zip/npz/JSON damage of any kind
            raise ValueError(f"unreadable index: {type(exc).__name__}: {exc}") from exc

    @classmethod
    def _from_bytes(cls, data: bytes) -> PostingIndex:
        import numpy as np

        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            meta = json.loads(bytes(z["meta"]).decode())
            if meta.get("format") != FORMAT_VERSION:
                raise ValueError(f"index format {meta.get('format')} is not {FORMAT_VERSION}")
            idx = cls()
            idx.terms = list(meta["terms"])
            idx.vocab = {t: i for i, t in enumerate(idx.terms)}
            idx._df = [int(x) for x in z["df"]]
            idx._doc_len = [float(x) for x in z["doc_len"]]
            idx.n_docs = len(idx._doc_len)
            idx.total_len = float(sum(idx._doc_len))
            idx._indptr = z["indptr"].astype(np.int64)
            idx._rows = z["rows"].astype(np.int32)
            idx._tf = z["tf"].astype(np.float32)
            idx._n_compact_docs = idx.n_docs
        return idx


def idf_values(index: PostingIndex, params: Bm25Params) -> Any:
    """The idf of every term under ``params`` (a NumPy array indexed by term id)."""
    import numpy as np

    n = float(index.n_docs)
    df = index.df()
    if params.idf == "okapi":
        idf = np.log(n - df + 0.5) - np.log(df + 0.5)
        if len(idf):
            floor = params.epsilon * float(idf.mean())
            idf = np.where(idf < 0, floor, idf)
        return idf
    return np.log1p((n - df + 0.5) / (df + 0.5))


class Bm25Scorer:
    """BM25 scores of a query against every document of a :class:`PostingIndex`."""

    def __init__(self, index: PostingIndex, params: Bm25Params | None = None) -> None:
        self.index = index
        self.params = params or Bm25Params()
        self._idf_cache: tuple[int, int, Any] | None = None
        self._norm_cache: tuple[int, float, Any] | None = None

    def _idf(self) -> Any:
        key = (self.index.n_docs, len(self.index.terms))
        if self._idf_cache is None or self._idf_cache[:2] != key:
            self._idf_cache = (*key, idf_values(self.index, self.params))
        return self._idf_cache[2]

    def _norms(self) -> Any:
        """k1 * (1 - b + b * dl / avgdl) per document, recomputed when documents were added."""
        import numpy as np

        idx = self.index
        key = (idx.n_docs, idx.total_len)
        if self._norm_cache is None or self._norm_cache[:2] != key:
            k1, b = self.params.k1, self.params.b
            avgdl = idx.total_len / idx.n_docs
            norm = (k1 * (1.0 - b + b * idx.doc_len() / avgdl)).astype(np.float64)
            self._norm_cache = (*key, norm)
        return self._norm_cache[2]

    def term_weights(self, query: Sequence[str]) -> dict[int, float]:
        """idf x query frequency of each query term the index knows (the heaviest ones)."""
        idf = self._idf()
        out: dict[int, float] = {}
        max_df = self.params.max_df_ratio * self.index.n_docs
        # on small collections every useful word is "common": prune only large ones
        prune = self.params.max_df_ratio < 1.0 and self.index.n_docs >= PRUNE_MIN_DOCS
        df = self.index.df() if prune else None
        for term, qtf in Counter(query).items():
            tid = self.index.vocab.get(term)
            if tid is not None and (df is None or df[tid] <= max_df):
                out[tid] = float(idf[tid]) * qtf
        limit = self.params.max_query_terms
        if limit and len(out) > limit:
            keep = sorted(out.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
            out = dict(keep)
        return out

    def scores(self, query: Sequence[str], upto: int | None = None) -> Any:
        """Scores for documents ``0 .. upto-1`` (all by default) as a float64 array."""
        import numpy as np

        idx = self.index
        n = idx.n_docs if upto is None else min(upto, idx.n_docs)
        out = np.zeros(n, dtype=np.float64)
        if n == 0 or idx.total_len == 0:
            return out
        k1 = self.params.k1
        norms = self._norms()
        weights = self.term_weights(query)
        if not weights:
            return out
        all_rows = []
        all_w = []
        for tid, w in weights.items():
            rows, tf = idx.postings(tid)
            if upto is not None:
                keep = rows < n
                rows, tf = rows[keep], tf[keep]
            if not len(rows):
                continue
            all_rows.append(rows)
            all_w.append((w * (k1 + 1.0)) * tf / (tf + norms[rows]))
        if all_rows:
            rows = np.concatenate(all_rows)
            vals = np.concatenate(all_w)
            out += np.bincount(rows, weights=vals, minlength=n)[:n]
        return out

    def self_score(self, query: Sequence[str]) -> float:
        """The score the query would get against itself as a document (for normalising)."""
        idx = self.index
        if idx.n_docs == 0:
            return 0.0
        k1, b = self.params.k1, self.params.b
        avgdl = idx.total_len / idx.n_docs
        dl = float(len(query))
        counts = Counter(query)
        total = 0.0
        for tid, w in self.term_weights(query).items():
            tf = counts[idx.terms[tid]]
            total += w * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))
        return total if math.isfinite(total) else 0.0
