from __future__ import annotations

import pytest

from triagedesk.domain.evidence.template import (
    EMPTY_TEMPLATES,
    find_template,
    template_similarity,
)


@pytest.mark.parametrize("era", sorted(EMPTY_TEMPLATES))
def test_each_empty_template_is_recognised_and_scores_zero(era: str) -> None:
    ev = find_template(EMPTY_TEMPLATES[era])
    assert ev.era == era
    assert ev.score == 0.0
    assert ev.content_words == 0
    assert all(s.state in ("empty", "placeholder") for s in ev.sections if s.required)
    assert template_similarity(EMPTY_TEMPLATES[era]) >= 0.99


FILLED_2019 = (
    EMPTY_TEMPLATES["2019"]
    .replace(
        "### Actual behavior\n", "### Actual behavior\nThe engine never starts after a reboot.\n"
    )
    .replace("### Expected behavior\n", "### Expected behavior\nThe engine starts.\n")
    .replace("1. ...\n2. ...", "1. Reboot the laptop\n2. Open Docker Desktop from the Start menu")
    .replace("- Docker Desktop Version:", "- Docker Desktop Version: 2.3.0.3")
)


def test_filled_sections_are_told_from_placeholders() -> None:
    ev = find_template(FILLED_2019)
    assert ev.era == "2019"
    states = {s.key: s.state for s in ev.sections}
    assert states == {
        "expected": "filled",
        "actual": "filled",
        "information": "filled",
        "steps": "filled",
    }
    assert ev.score == 1.0 and ev.unfilled == ()


def test_partly_filled_form() -> None:
    body = (
        "### Description\n\nBuilds hang at the export step.\n\n### Reproduce\n\n1.\n2.\n3.\n\n"
        "### Expected behavior\n\n_No response_\n\n### docker version\n\n```bash\n\n```\n\n"
        "### Diagnostics ID\n\n_No response_\n\n### Additional Info\n\n_No response_\n"
    )
    ev = find_template(body)
    states = {s.key: s.state for s in ev.sections}
    assert ev.era == "form"
    assert states["description"] == "filled"
    assert states["reproduce"] == "placeholder"
    assert states["expected"] == "placeholder"
    assert states["docker-info"] == "missing"
    assert ev.score == 0.25


def test_html_comment_hints_are_not_content() -> None:
    body = "### Expected behavior\n<!-- what should happen -->\n### Actual behavior\n\n### Information\n\n### Steps to reproduce the behavior\n"
    ev = find_template(body)
    assert ev.era == "2016"
    assert ev.section("expected") is not None
    assert ev.section("expected").state == "placeholder"  # type: ignore[union-attr]
    assert ev.content_words == 0


def test_actual_before_expected_is_the_2021_era() -> None:
    body = "### Actual behavior\nx y z\n### Expected behavior\na b\n### Information\n\n### Steps to reproduce the behavior\n"
    assert find_template(body).era == "2021"


@pytest.mark.parametrize(
    ("body", "era"),
    [
        ("Docker won't start since this morning, the whale keeps spinning.", "free"),
        ("**Error:** it fails\n**Reproduce:**\n1. start it\n2. wait", "free"),
        ("### Environment:\nWindows 10\n### Steps to Reproduce Behavior:\n1. run\n", "free"),
    ],
)
def test_free_text(body: str, era: str) -> None:
    ev = find_template(body)
    assert ev.era == era and ev.content_words > 0


def test_similarity_baseline_only_fires_near_the_empty_template() -> None:
    assert template_similarity(FILLED_2019) < template_similarity(EMPTY_TEMPLATES["2019"])
    assert template_similarity("a short free text report about volumes being slow") < 0.5
    long = "word " * 20_000
    assert template_similarity(long) < 0.1
