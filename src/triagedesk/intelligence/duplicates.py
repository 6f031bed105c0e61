"""The duplicate index: BM25 over title and body joined with signature overlap.

Hybrid score of a candidate ``d`` for a query ``q`` (both in [0, 1]):

    lexical   = BM25(q, d) / BM25(q, q)            (the query's own score as the ceiling)
    signature = sum of w(s) over shared signatures / (sum of w(s) over q's signatures + 3)
    hybrid    = (wl * lexical + ws * signature) / (wl + ws)   when q has signatures
              = lexical                                        otherwise

with ``w(s)`` = the idf of a signature times a per-kind weight (a shared failing
component or error line says more than a shared version). Each candidate is
classed ``duplicate`` / ``related`` / ``none`` by thresholds chosen on history
(see :mod:`triagedesk.intelligence.evaluate`). No embeddings: everything here is
lexical and signature evidence (see docs/intelligence.md).
"""

from __future__ import annotations

import bisect
import hashlib
import io
import json
import math
import zipfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from triagedesk.intelligence.bm25 import Bm25Params, Bm25Scorer, PostingIndex
from triagedesk.intelligence.signatures import Signature, describe, signature_of
from triagedesk.intelligence.text import document_tokens, title_words

FORMAT = "triagedesk-duplicates/1"
KIND_WEIGHTS = {
    "diag": 1.0,
    "err": 1.0,
    "frame": 1.0,
    "code": 0.7,
    "exit": 0.5,
    # a shared version is weak evidence on its own: many unrelated reports share one
    "ver": 0.1,
    "vmm": 0.05,
}
SIG_SMOOTHING = 3.0


@dataclass(frozen=True, slots=True)
class DuplicateConfig:
    k1: float = 1.2
    b: float = 0.75
    title_weight: int = 2
    lexical_weight: float = 0.7
    signature_weight: float = 0.3
    duplicate_threshold: float = 0.6
    related_threshold: float = 0.3
    #: share of the score that depends on how recent the candidate is (duplicates cluster in
    #: time: a regression brings its reports within weeks); 0 turns it off
    recency_weight: float = 0.5
    recency_half_life_days: float = 30.0
    #: share of the score lost by a candidate that was already closed when the query was filed
    closed_penalty: float = 0.2
    #: share of the score that depends on how often other issues had referred to the
    #: candidate (comments "same as #N", earlier dupes closed in its favour) before the query
    mention_weight: float = 0.5
    #: BM25 scores only the query's heaviest terms (see Bm25Params.max_query_terms)
    max_query_terms: int = 64
    #: BM25 skips query terms in more than this share of issues (see Bm25Params.max_df_ratio)
    max_df_ratio: float = 0.25


@dataclass(frozen=True, slots=True)
class Candidate:
    """One earlier issue: ``score`` ranks (similarity x time factor); ``similarity`` (text and
    signatures only) decides the verdict, so an old exact copy is still a duplicate."""

    ref: str
    score: float
    lexical: float
    signature: float
    verdict: str
    title: str
    created_at: datetime
    is_open: bool
    evidence: dict[str, list[str]] = field(default_factory=dict)
    similarity: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["created_at"] = self.created_at.isoformat()
        for key in ("score", "similarity", "lexical", "signature"):
            out[key] = round(float(out[key]), 4)
        return out


@dataclass(frozen=True, slots=True)
class IndexedIssue:
    """What the index needs of an issue: its text as first filed and when it was filed."""

    ref: str
    title: str
    body: str
    created_at: datetime
    is_open: bool = True
    closed_at: datetime | None = None


def _closed_ts(issue: IndexedIssue) -> float:
    if issue.is_open or issue.closed_at is None:
        return math.inf
    return issue.closed_at.timestamp()


def _digest(title: str, body: str) -> str:
    return hashlib.blake2b(f"{title}\0{body}".encode(), digest_size=8).hexdigest()


class DuplicateIndex:
    def __init__(self, config: DuplicateConfig | None = None) -> None:
        self.config = config or DuplicateConfig()
        self.text = PostingIndex()
        self.sigs = PostingIndex()
        self.refs: list[str] = []
        self.titles: list[str] = []
        self.digests: list[str] = []
        self.created: list[float] = []
        self.open: list[bool] = []
        #: closing time (epoch seconds) or +inf while open
        self.closed: list[float] = []
        self.dead: set[int] = set()
        #: ref -> sorted times (epoch seconds) other issues referred to it
        self.mentions: dict[str, list[float]] = {}
        self.by_ref: dict[str, int] = {}
        self._created_arr: Any = None
        self._closed_arr: Any = None
        self._bm25: Bm25Scorer | None = None

    # --- building ---------------------------------------------------------
    @property
    def size(self) -> int:
        return len(self.refs) - len(self.dead)

    def add(self, issue: IndexedIssue) -> int:
        """Index ``issue``; a changed issue already in the index replaces its old entry."""
        digest = _digest(issue.title, issue.body)
        old = self.by_ref.get(issue.ref)
        if old is not None:
            self.open[old] = issue.is_open
            self.closed[old] = _closed_ts(issue)
            self._closed_arr = None
            if self.digests[old] == digest:
                return old
            self.dead.add(old)
        doc = self.text.add(
            document_tokens(issue.title, issue.body, title_weight=self.config.title_weight)
        )
        sig = self.sigs.add(sorted(signature_of(issue.title, issue.body).all_keys()))
        assert doc == sig == len(self.refs)
        self.refs.append(issue.ref)
        self.titles.append(issue.title)
        self.digests.append(digest)
        self.created.append(issue.created_at.timestamp())
        self.open.append(issue.is_open)
        self.closed.append(_closed_ts(issue))
        self.by_ref[issue.ref] = doc
        self._created_arr = None
        return doc

    def compact(self) -> None:
        self.text.compact()
        self.sigs.compact()

    def _scorer(self) -> Bm25Scorer:
        if self._bm25 is None or self._bm25.index is not self.text:
            c = self.config
            self._bm25 = Bm25Scorer(
                self.text,
                Bm25Params(
                    k1=c.k1,
                    b=c.b,
                    max_query_terms=c.max_query_terms,
                    max_df_ratio=c.max_df_ratio,
                ),
            )
        return self._bm25

    def _created(self) -> Any:
        import numpy as np

        if self._created_arr is None or len(self._created_arr) != len(self.created):
            self._created_arr = np.asarray(self.created, dtype=np.float64)
        return self._created_arr

    # --- scoring ----------------------------------------------------------
    def _signature_scores(self, keys: set[str]) -> tuple[Any, float]:
        import numpy as np

        n = self.sigs.n_docs
        out = np.zeros(n, dtype=np.float64)
        total = 0.0
        for key in keys:
            w = KIND_WEIGHTS.get(key.split(":", 1)[0], 0.5)
            tid = self.sigs.vocab.get(key)
            df = 0 if tid is None else self.sigs.df()[tid]
            idf = math.log1p((n - df + 0.5) / (df + 0.5))
            total += w * idf
            if tid is None:
                continue
            rows, _ = self.sigs.postings(tid)
            out[rows] += w * idf
        return out, total

    def _time_factor(self, at: float, which: Any = None) -> Any:
        """Recency and state at the query's time: duplicates cluster in time, and a team
        closes a new report in favour of an issue that is still open. ``which``: only
        these documents (indices), else all."""
        import numpy as np

        c = self.config
        created = self._created()
        if which is not None:
            created = created[which]
        factor = np.ones(len(created), dtype=np.float64)
        if c.recency_weight > 0:
            age_days = np.maximum(at - created, 0.0) / 86400.0
            recency = np.power(0.5, age_days / max(c.recency_half_life_days, 1e-9))
            factor *= 1.0 - c.recency_weight * (1.0 - recency)
        if c.closed_penalty > 0:
            if self._closed_arr is None or len(self._closed_arr) != len(self.closed):
                self._closed_arr = np.asarray(self.closed, dtype=np.float64)
            closed = (self._closed_arr if which is None else self._closed_arr[which]) <= at
            factor *= np.where(closed, 1.0 - c.closed_penalty, 1.0)
        if c.mention_weight > 0 and self.mentions:
            factor *= self._mention_factor(at, which, len(created))
        return factor

    def _mention_factor(self, at: float, which: Any, size: int) -> Any:
        """1 - w * 0.5**count, count = references to the candidate made before ``at``."""
        import numpy as np

        w = self.config.mention_weight
        counts = np.zeros(size, dtype=np.float64)
        if which is None:
            for ref, times in self.mentions.items():
                doc = self.by_ref.get(ref)
                if doc is not None:
                    counts[doc] = bisect.bisect_left(times, at)
        else:
            for pos, doc in enumerate(which.tolist()):
                seen = self.mentions.get(self.refs[doc])
                if seen:
                    counts[pos] = bisect.bisect_left(seen, at)
        return 1.0 - w * np.power(0.5, counts)

    def set_mentions(self, mentions: dict[str, list[float]]) -> None:
        self.mentions = {ref: sorted(times) for ref, times in mentions.items()}

    def _apply_time(self, base: Any, at: float, k: int, n_valid: int) -> Any:
        """``base`` times the time factor, computed for the best few hundred only when that
        provably gives the same top ``k`` (the factor is at most 1), else for all."""
        import numpy as np

        m = min(n_valid, max(40 * k, 400))
        if m >= len(base) or m <= k:
            return np.where(base >= 0, base * self._time_factor(at), base)
        part = np.argpartition(-base, m - 1)[:m]
        scaled = base[part] * self._time_factor(at, part)
        kth = np.partition(scaled, len(scaled) - k)[len(scaled) - k]
        if kth >= base[part].min():  # nothing outside can climb above the k-th
            out = np.full(len(base), -1.0)
            out[part] = scaled
            return out
        return np.where(base >= 0, base * self._time_factor(at), base)

    def lexical_scores(self, title: str, body: str) -> Any:
        """Plain BM25 scores of every document (the baseline of the backtest)."""
        q = document_tokens(title, body, title_weight=self.config.title_weight)
        return self._scorer().scores(q)

    def search(
        self,
        title: str,
        body: str,
        *,
        k: int = 10,
        before: datetime | None = None,
        exclude: str | None = None,
        lexical_only: bool = False,
        with_evidence: bool = True,
        signature: Signature | None = None,
    ) -> list[Candidate]:
        """The ``k`` best earlier issues for an issue with this title and body.

        ``signature`` is the issue's :func:`signature_of`, when the caller has it already.
        """
        import numpy as np

        n = len(self.refs)
        if n == 0:
            return []
        c = self.config
        q = document_tokens(title, body, title_weight=c.title_weight)
        scorer = self._scorer()
        lex = scorer.scores(q)
        ceiling = scorer.self_score(q)
        lex = np.clip(lex / ceiling, 0.0, 1.0) if ceiling > 0 else lex * 0.0
        if lexical_only:
            qkeys: set[str] = set()
        else:
            qkeys = (signature or signature_of(title, body)).all_keys()
        if qkeys and (c.lexical_weight + c.signature_weight) > 0:
            sig_raw, total = self._signature_scores(qkeys)
            sig = sig_raw / (total + SIG_SMOOTHING)
            hybrid = (c.lexical_weight * lex + c.signature_weight * sig) / (
                c.lexical_weight + c.signature_weight
            )
        else:
            sig = np.zeros(n, dtype=np.float64)
            hybrid = lex.copy()
        valid = np.ones(n, dtype=bool)
        if before is not None:
            valid &= self._created() < before.timestamp()
        if self.dead:
            valid[list(self.dead)] = False
        if exclude is not None and exclude in self.by_ref:
            valid[self.by_ref[exclude]] = False
        hybrid = np.where(valid, hybrid, -1.0)
        n_valid = int(valid.sum())
        k = min(k, n_valid)
        if k <= 0:
            return []
        if not lexical_only and before is not None:
            similarity = hybrid
            hybrid = self._apply_time(hybrid, before.timestamp(), k, n_valid)
        else:
            similarity = hybrid
        part = np.argpartition(-hybrid, k - 1)[:k]
        # ties broken by the newer issue first would hide originals: older first; an issue
        # that shares nothing with the query (score 0) is no candidate at all
        top: list[int] = sorted(
            (i for i in part.tolist() if hybrid[i] > 0),
            key=lambda i: (-hybrid[i], self.created[i]),
        )
        qtitle = title_words(title)
        out: list[Candidate] = []
        for i in top:
            score = float(hybrid[i])
            sim = float(similarity[i])
            evidence: dict[str, list[str]] = {}
            if with_evidence:
                shared_title = sorted(qtitle & title_words(self.titles[i]))
                if shared_title:
                    evidence["title_words"] = shared_title
                if qkeys:
                    dkeys = self.sigs.doc_terms(i)
                    evidence.update(describe(qkeys & dkeys))
            out.append(
                Candidate(
                    ref=self.refs[i],
                    score=score,
                    lexical=float(lex[i]),
                    signature=float(sig[i]),
                    verdict=self.verdict(sim),
                    similarity=sim,
                    title=self.titles[i],
                    created_at=datetime.fromtimestamp(self.created[i], tz=UTC),
                    is_open=self.open[i],
                    evidence=evidence,
                )
            )
        return out

    def verdict(self, score: float) -> str:
        if score >= self.config.duplicate_threshold:
            return "duplicate"
        if score >= self.config.related_threshold:
            return "related"
        return "none"

    # --- persistence ------------------------------------------------------
    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        meta = {
            "format": FORMAT,
            "config": asdict(self.config),
            "refs": self.refs,
            "titles": self.titles,
            "digests": self.digests,
            "created": self.created,
            "open": self.open,
            "closed": [None if math.isinf(x) else x for x in self.closed],
            "dead": sorted(self.dead),
            "mentions": self.mentions,
        }
        with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as z:
            z.writestr("meta.json", json.dumps(meta))
            z.writestr("text.npz", self.text.to_bytes())
            z.writestr("sigs.npz", self.sigs.to_bytes())
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> DuplicateIndex:
        """Load :meth:`to_bytes` output; anything unreadable raises ValueError."""
        try:
            return cls._from_bytes(data)
        except ValueError:
            raise
        except Exception as exc:  # zip/JSON damage of any kind
            raise ValueError(f"unreadable duplicate index: {type(exc).__name__}: {exc}") from exc

    @classmethod
    def _from_bytes(cls, data: bytes) -> DuplicateIndex:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            meta = json.loads(z.read("meta.json"))
            if meta.get("format") != FORMAT:
                raise ValueError(f"duplicate index format {meta.get('format')!r} is not {FORMAT}")
            idx = cls(DuplicateConfig(**meta["config"]))
            idx.text = PostingIndex.from_bytes(z.read("text.npz"))
            idx.sigs = PostingIndex.from_bytes(z.read("sigs.npz"))
        idx.refs = list(meta["refs"])
        idx.titles = list(meta["titles"])
        idx.digests = list(meta["digests"])
        idx.created = [float(x) for x in meta["created"]]
        idx.open = [bool(x) for x in meta["open"]]
        idx.closed = [math.inf if x is None else float(x) for x in meta["closed"]]
        idx.dead = {int(x) for x in meta["dead"]}
        idx.mentions = {k: [float(t) for t in v] for k, v in meta.get("mentions", {}).items()}
        idx.by_ref = {}
        for i, ref in enumerate(idx.refs):
            if i not in idx.dead:
                idx.by_ref[ref] = i
        return idx

    def with_config(self, config: DuplicateConfig) -> DuplicateIndex:
        """The same index under other weights or thresholds (BM25 k1/b/title weight kept)."""
        self.config = DuplicateConfig(
            k1=self.config.k1,
            b=self.config.b,
            title_weight=self.config.title_weight,
            lexical_weight=config.lexical_weight,
            signature_weight=config.signature_weight,
            duplicate_threshold=config.duplicate_threshold,
            related_threshold=config.related_threshold,
            recency_weight=config.recency_weight,
            recency_half_life_days=config.recency_half_life_days,
            closed_penalty=config.closed_penalty,
            max_query_terms=config.max_query_terms,
            max_df_ratio=config.max_df_ratio,
            mention_weight=config.mention_weight,
        )
        self._bm25 = None
        return self
