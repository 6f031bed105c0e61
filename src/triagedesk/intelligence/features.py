"""Feature extraction for the label model: our own TF-IDF, so predicting needs NumPy only.

Features of an issue: title words (``t:``), body words (``b:``), title bigrams
(``tb:``) and signature keys (``s:diag:vpnkit``, ``s:err:…``). Sublinear tf
times a smoothed idf, rows L2-normalised — the same weighting as scikit-learn's
``TfidfVectorizer(sublinear_tf=True)`` but with a vocabulary we own and persist
as JSON, so the webhook worker never imports scikit-learn.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from triagedesk.intelligence.signatures import Signature, signature_of
from triagedesk.intelligence.text import ngrams, tokens


def feature_tokens(title: str, body: str, sig: Signature | None = None) -> list[str]:
    tw = tokens(title)
    out = [f"t:{w}" for w in tw]
    out += [f"tb:{g}" for g in ngrams(tw, 2)]
    out += [f"b:{w}" for w in tokens(body[:20000])]
    sig = sig if sig is not None else signature_of(title, body)
    out += [f"s:{k}" for k in sig.all_keys()]
    return out


class Vectoriser:
    def __init__(self, vocab: dict[str, int] | None = None, idf: Sequence[float] = ()) -> None:
        self.vocab: dict[str, int] = vocab or {}
        self.idf: list[float] = list(idf)

    @classmethod
    def fit(
        cls, docs: Sequence[Sequence[str]], *, min_df: int = 2, max_features: int = 60000
    ) -> Vectoriser:
        df: Counter[str] = Counter()
        for d in docs:
            df.update(set(d))
        n = len(docs)
        kept = [t for t, c in df.items() if c >= min_df and c < max(2, n)]
        kept.sort(key=lambda t: (-df[t], t))
        kept = sorted(kept[:max_features])
        vocab = {t: i for i, t in enumerate(kept)}
        idf = [math.log((1 + n) / (1 + df[t])) + 1.0 for t in kept]
        return cls(vocab, idf)

    def transform(self, docs: Iterable[Sequence[str]]) -> Any:
        """A scipy CSR matrix (rows L2-normalised)."""
        import numpy as np
        from scipy.sparse import csr_matrix

        indptr = [0]
        indices: list[int] = []
        data: list[float] = []
        for d in docs:
            counts: Counter[int] = Counter()
            for t in d:
                j = self.vocab.get(t)
                if j is not None:
                    counts[j] += 1
            vals = [(j, (1.0 + math.log(c)) * self.idf[j]) for j, c in sorted(counts.items())]
            norm = math.sqrt(sum(v * v for _, v in vals)) or 1.0
            indices.extend(j for j, _ in vals)
            data.extend(v / norm for _, v in vals)
            indptr.append(len(indices))
        return csr_matrix(
            (np.asarray(data, dtype=np.float64), np.asarray(indices, dtype=np.int32), indptr),
            shape=(len(indptr) - 1, len(self.vocab)),
        )

    def transform_one(self, doc: Sequence[str]) -> tuple[list[int], list[float]]:
        """One document as (feature ids, weights), without SciPy."""
        counts: Counter[int] = Counter()
        for t in doc:
            j = self.vocab.get(t)
            if j is not None:
                counts[j] += 1
        vals = [(j, (1.0 + math.log(c)) * self.idf[j]) for j, c in sorted(counts.items())]
        norm = math.sqrt(sum(v * v for _, v in vals)) or 1.0
        return [j for j, _ in vals], [v / norm for _, v in vals]
