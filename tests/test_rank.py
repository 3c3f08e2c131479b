"""The widget's top-k (assets/widget/src/rank.js) in real Chromium: the same answer as sorting
every score, ties in index order, without the sort (a big site's search sorted 13,600 scores)."""

import numpy as np
import pytest

from .conftest import serve_modules


@pytest.fixture(scope="module")
def rank_page(tmp_path_factory, static_server):
    return serve_modules(tmp_path_factory, static_server, "rank.js")


def test_top_k_is_the_head_of_a_stable_sort(page, rank_page):
    rng = np.random.default_rng(3)
    cases = [rng.random(13602).tolist(), rng.integers(0, 4, 50).tolist(),  # many ties
             [0.5, 0.25], [], np.linspace(0, 1, 30).tolist()]  # fewer than k; none; rising
    page.goto(rank_page + "/index.html")
    got = page.evaluate("""async ([cases, ks]) => {
        const { topK } = await import('./rank.js');
        return cases.map((values) => ks.map((k) => topK(Float32Array.from(values), k)));
    }""", [cases, [0, 1, 5, 12]])
    for values, answers in zip(cases, got):
        values = np.asarray(values, np.float32)
        order = sorted(range(len(values)), key=lambda i: -values[i])  # stable: ties keep index order
        for k, answer in zip([0, 1, 5, 12], answers):
            assert answer == order[:k], (k, values[:8])
