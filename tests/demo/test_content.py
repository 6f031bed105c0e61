"""What the bodies hold, measured from the text the way a parser would see it."""

from __future__ import annotations

import re
import subprocess

import pytest
import yaml

G = r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}"
g = G.replace("A-F", "a-f")
ANY_GUID = re.compile(rf"(?:{G}|{g})")

ID_SHAPES = {
    "compact": re.compile(rf"{G}/\d{{14}}(?! \(uploaded\))"),
    "uploaded": re.compile(rf"{G}/\d{{14}} \(uploaded\)"),
    "bare": re.compile(rf"Diagnostics ID: {G}\s*$", re.M),
    "lowercase": re.compile(rf"{g}/\d{{14}}"),
    "dashed": re.compile(rf"{G}/\d{{4}}-\d\d-\d\d_\d\d-\d\d-\d\d"),
    "logs line": re.compile(rf"^logs: /tmp/{G}/\d{{8}}-\d{{6}}\.tar\.gz$", re.M),
    "DID:": re.compile(rf"^DID: {G}", re.M),
    "diagnostic id is": re.compile(rf"diagnostics? id is {G}", re.I),
    "inside docker info": re.compile(rf"```bash\nClient:\n(?:(?!```).)*Diagnostics ID: {G}", re.S),
}
MISSING = re.compile(
    r"^(?:- )?Diagnostics ID:[ \t]*(NA|N/A|none|None|diagnose failed|unavailable)?[ \t]*$", re.M
)


def bugs(corpus):
    return [r for r in corpus.records if "### Description" in r["body"] or len(r["body"]) > 400]


@pytest.mark.parametrize("shape", sorted(ID_SHAPES))
def test_every_diagnostics_id_shape_appears(corpus, shape):
    hits = [r for r in corpus.records if ID_SHAPES[shape].search(r["body"])]
    assert len(hits) >= 5, shape


def test_missing_id_markers_appear(corpus):
    found = {m.group(1) or "" for r in corpus.records for m in MISSING.finditer(r["body"])}
    assert {"", "NA", "none", "diagnose failed"} <= found
    form_missing = sum("### Diagnostics ID\n\n_No response_" in r["body"] for r in corpus.records)
    assert form_missing > 20


def test_id_given_only_later_in_a_reporter_comment(corpus):
    later = 0
    for r in corpus.records:
        if ANY_GUID.search(r["body"]):
            continue
        author = r["author"]["login"]
        asked = False
        for c in r["comments"]:
            if c["authorAssociation"] == "MEMBER" and "diagnostic" in c["body"].lower():
                asked = True
            if asked and c["author"]["login"] == author and ANY_GUID.search(c["body"]):
                later += 1
                break
    assert later >= 30


def test_about_half_of_the_bug_reports_carry_an_id(corpus):
    bug_bodies = [
        r["body"]
        for r in corpus.records
        if "Diagnostics ID" in r["body"]
        or "### Description:" in r["body"]
        or "**Error:**" in r["body"]
    ]
    with_id = sum(bool(ANY_GUID.search(b)) for b in bug_bodies)
    assert 0.35 <= with_id / len(bug_bodies) <= 0.65
    with_any = sum(bool(ANY_GUID.search(r["body"])) for r in corpus.records)
    assert 0.3 <= with_any / len(corpus.records) <= 0.55


def test_both_diagnose_generations_are_pasted(corpus):
    old = [r for r in corpus.records if re.search(r"^\[ERROR\]  \S.*\n {9}\S", r["body"], re.M)]
    old_header = [
        r for r in corpus.records if re.search(r"^Docker for Mac: version: ", r["body"], re.M)
    ]
    new = [r for r in corpus.records if re.search(r"^\[FAIL\] DD\d{4}: .+\?", r["body"], re.M)]
    tail = [
        r
        for r in corpus.records
        if re.search(r"Please investigate the following \d+ issues?", r["body"])
    ]
    passes = [r for r in corpus.records if re.search(r"^\[PASS\] DD\d{4}: ", r["body"], re.M)]
    assert len(old) >= 20 and len(old_header) >= 20
    assert len(new) >= 100 and len(tail) >= 100 and len(passes) >= 100
    share = len({id(r) for r in old + passes}) / len(corpus.records)
    assert 0.07 <= share <= 0.2  # about 1 in 8 pastes diagnose check lines


def blocks(body: str, langs: tuple[str, ...]) -> list[str]:
    return [
        m.group(2)
        for m in re.finditer(r"```(\w*)\n(.*?)```", body, re.S)
        if m.group(1).lower() in langs
    ]


def test_every_reproduction_kind_appears_with_broken_ones(corpus):
    bodies = [r["body"] for r in corpus.records]
    dockerfiles = [b for body in bodies for b in blocks(body, ("dockerfile",))]
    assert any(b.lstrip().startswith("FROM ") for b in dockerfiles)
    assert any("FROM " not in b for b in dockerfiles)
    composes = [b for body in bodies for b in blocks(body, ("yaml", "yml")) if "image:" in b]
    parsed, broken_yaml, bad_key = 0, 0, 0
    for b in composes:
        try:
            doc = yaml.safe_load(b)
        except yaml.YAMLError:
            broken_yaml += 1
            continue
        parsed += 1
        bad_key += "services" not in doc
    assert parsed >= 20 and broken_yaml >= 3 and bad_key >= 3
    shells = [b for body in bodies for b in blocks(body, ("sh", "bash", "shell"))]
    syntax_errors = sum(
        subprocess.run(["bash", "-n"], input=s, text=True, capture_output=True).returncode != 0
        for s in shells[:400]
    )
    assert len(shells) >= 30 and syntax_errors >= 3
    assert sum(bool(re.search(r"^(?:```\n)?\$ docker ", body, re.M)) for body in bodies) >= 30
    assert (
        sum(bool(re.search(r"^1\. [A-Z][a-z]+ ", body, re.M)) for body in bodies) >= 200
    )  # UI steps
    placeholders = sum("1. ...\n2. ..." in body for body in bodies)
    assert 0.12 <= placeholders / len(bodies) <= 0.3  # about 1 in 5


def test_every_template_era_and_free_text_appear(corpus):
    bodies = [r["body"] for r in corpus.records]

    def count(pattern: str) -> int:
        return sum(bool(re.search(pattern, b, re.M)) for b in bodies)

    assert count(r"^### Description$") > 800  # 2023+ issue forms
    assert (
        count(r"I have tried disabling enabled experimental features") > 300
    )  # 2021–22 checkboxes
    assert count(r"latest version of my channel \(Stable or Edge\)") > 50  # 2018–2020 template
    assert count(r"^\*\*Error:\*\*") > 50 and count(r"^### Steps to Reproduce Behavior:") > 30
    assert count(r"WSL2 or Hyper-V backend\?") > 100 and count(r"Intel chip or Apple chip:") > 50
    empty = [b for b in bodies if "### Description\n\n_No response_" in b]
    assert len(empty) >= 10


def test_environment_and_install_context(corpus):
    bodies = [r["body"] for r in corpus.records]
    upgrades = sum(
        bool(
            re.search(
                r"upgrading from 4\.\d+\.\d to 4\.\d+\.\d|since the last update|until the last update|updated Docker Desktop",
                b,
                re.I,
            )
        )
        for b in bodies
    )
    assert 0.06 <= upgrades / len(bodies) <= 0.25
    for needle in (
        "fresh install",
        "installer fails",
        "beta channel",
        "downgraded to",
        "reinstalled",
    ):
        assert sum(needle in b.lower() for b in bodies) >= 5, needle
    assert (
        sum(bool(re.search(r"4\.\d+\.\d \(\d{5,6}\)", b)) for b in bodies) > 200
    )  # version with build
    assert sum("Apple M" in b for b in bodies) > 50 and sum("Hyper-V" in b for b in bodies) > 50
