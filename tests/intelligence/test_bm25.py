"""BM25: scores equal rank_bm25's on the same corpus; adding one by one equals a rebuild."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from triagedesk.intelligence import bm25
from triagedesk.intelligence.bm25 import Bm25Params, Bm25Scorer, PostingIndex


def _corpus(n: int = 200, seed: int = 3) -> list[list[str]]:
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(80)]
    # Zipf-ish: early words are common, so some idf values are negative under Okapi
    return [
        [words[min(int(rng.paretovariate(1.2)) - 1, 79)] for _ in range(rng.randint(1, 30))]
        for _ in range(n)
    ]


def test_scores_equal_rank_bm25_okapi() -> None:
    docs = _corpus()
    ref = BM25Okapi(docs)
    idx = PostingIndex()
    idx.add_many(docs)
    scorer = Bm25Scorer(idx, Bm25Params(k1=1.5, b=0.75, idf="okapi", epsilon=0.25))
    rng = random.Random(9)
    for _ in range(30):
        query = [f"w{rng.randrange(85)}" for _ in range(rng.randint(1, 8))]  # some unknown
        assert np.allclose(scorer.scores(query), ref.get_scores(query), rtol=1e-5, atol=1e-6)


def test_lucene_scores_match_the_formula() -> None:
    docs = [["a", "b", "a"], ["b", "c"], ["c", "c", "c", "d"], ["e"]]
    idx = PostingIndex()
    idx.add_many(docs)
    k1, b = 1.2, 0.75
    scorer = Bm25Scorer(idx, Bm25Params(k1=k1, b=b))
    avgdl = sum(map(len, docs)) / len(docs)
    query = ["a", "c", "c", "z"]
    want = []
    for d in docs:
        s = 0.0
        for q in query:
            df = sum(1 for x in docs if q in x)
            if df == 0:
                continue
            idf = math.log(1 + (len(docs) - df + 0.5) / (df + 0.5))
            tf = d.count(q)
            s += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(d) / avgdl))
        want.append(s)
    assert np.allclose(scorer.scores(query), want)


@pytest.mark.parametrize("compact_after", [7, 1000])
def test_incremental_add_equals_rebuild(
    monkeypatch: pytest.MonkeyPatch, compact_after: int
) -> None:
    monkeypatch.setattr(bm25, "COMPACT_AFTER", compact_after)
    docs = _corpus(120)
    rebuilt = PostingIndex()
    rebuilt.add_many(docs)
    grown = PostingIndex()
    grown.add_many(docs[:50])
    grown = PostingIndex.from_bytes(grown.to_bytes())  # persisted, then extended
    query = ["w0", "w3", "w7", "w11", "w40"]
    for d in docs[50:]:
        grown.add(d)
        # queried between adds: the pending part must be scored too
        Bm25Scorer(grown).scores(query)
    a = Bm25Scorer(rebuilt).scores(query)
    b = Bm25Scorer(grown).scores(query)
    assert np.allclose(a, b)
    assert grown.doc_terms(119) == set(docs[119])
    assert rebuilt.doc_terms(3) == set(docs[3])


def test_upto_limits_candidates_and_empty_inputs() -> None:
    idx = PostingIndex()
    assert Bm25Scorer(idx).scores(["x"]).shape == (0,)
    idx.add_many([["x"], ["x", "y"], ["y"]])
    s = Bm25Scorer(idx).scores(["x"], upto=2)
    assert s.shape == (2,) and (s > 0).all()
    assert not Bm25Scorer(idx).scores([]).any()


def test_from_bytes_refuses_other_formats() -> None:
    idx = PostingIndex()
    idx.add_many([["a"]])
    data = idx.to_bytes()
    with pytest.raises(ValueError, match="unreadable"):
        PostingIndex.from_bytes(data[: len(data) // 2])
