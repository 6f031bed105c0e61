from __future__ import annotations

from datetime import UTC, datetime

import pytest

from triagedesk.domain.evidence.diagnostics import (
    find_diagnostics,
    find_issue_diagnostics,
    merge,
)
from triagedesk.domain.model import Association, Comment, Issue, IssueRef, RepoRef

G = "5C0B4E1A-93D2-4F6B-A8E7-2D1C0F9B3A64"
T0 = datetime(2021, 5, 6, 12, 0, tzinfo=UTC)

# (text, expected ids as (uuid, timestamp, shape))
ID_CASES = [
    (f"- Diagnostics ID: {G}/20210506123456", [(G, "20210506123456", "uuid/timestamp")]),
    (
        f"- Diagnostics ID: {G}/20210506123456 (uploaded)",
        [(G, "20210506123456", "uuid/timestamp")],
    ),
    (
        f"Diagnostics ID: {G}/2017-03-04_10-11-12",
        [(G, "2017-03-04_10-11-12", "uuid/dated-timestamp")],
    ),
    (f"Diagnostic ID: {G}", [(G, None, "uuid")]),
    (f"DID: {G.lower()}", [(G, None, "uuid")]),
    (f"my diagnostic id is {G}/20200101101010.", [(G, "20200101101010", "uuid/timestamp")]),
    (f"logs: /tmp/{G}/20170704-101112.tar.gz", [(G, "20170704-101112", "logs-path")]),
    (
        f"Uploading https://b.s3.amazonaws.com/incoming/2/{G}/20210506123456.zip done",
        [(G, "20210506123456", "bucket-key")],
    ),
    (f"- Diagnostics ID:\n  {G}\n", [(G, None, "uuid")]),
    (
        f"### Diagnostics ID\n\n{G}/20240101010101\n\n### Additional Info\n",
        [(G, "20240101010101", "uuid/timestamp")],
    ),
    (f"here it is:\n\n`{G}`\n", [(G, None, "uuid")]),
    (
        f"```\nClient:\n Context: default\n Diagnostics ID: {G}/20230909090909\n```",
        [(G, "20230909090909", "uuid/timestamp")],
    ),
    # GUIDs that are not diagnostics IDs
    ("Device {4D36E972-E325-11CE-BFC1-08002BE10318} failed to start", []),
    (f'time="2021" level=error msg="request {G} failed" vm=hyperv', []),
    (f"{G}x", []),
    (f"x{G}", []),
    ("no id at all", []),
    ("", []),
]


@pytest.mark.parametrize(("text", "expected"), ID_CASES)
def test_ids_in_every_shape(text: str, expected: list[tuple[str, str | None, str]]) -> None:
    ev = find_diagnostics(text)
    assert [(i.uuid, i.timestamp, i.shape) for i in ev.ids] == expected
    assert ev.present is bool(expected)


def test_uploaded_suffix_and_id_text() -> None:
    ev = find_diagnostics(f"- Diagnostics ID: {G.lower()}/20210506123456 (uploaded)")
    (i,) = ev.ids
    assert i.uploaded and i.id == f"{G}/20210506123456"
    assert i.raw == f"{G.lower()}/20210506123456"


def test_bare_uuid_then_full_id_keeps_the_full_one() -> None:
    ev = find_diagnostics(f"Diagnostics ID: {G}\nsorry, the full one: {G}/20210506123456")
    assert [(i.timestamp) for i in ev.ids] == ["20210506123456"]


@pytest.mark.parametrize(
    ("text", "state", "declined"),
    [
        ("- Diagnostics ID: NA", "declined", True),
        ("- Diagnostics ID: N/A", "declined", True),
        ("- Diagnostics ID: none", "declined", True),
        ("- Diagnostics ID: unavailable", "declined", True),
        ("- Diagnostics ID: diagnose failed with exit code 1", "declined", True),
        ("- Diagnostics ID: the diagnose tool crashes", "declined", True),
        ("- Diagnostics ID: -", "declined", True),
        ("- Diagnostics ID:", "empty", False),
        ("- Diagnostics ID: ", "empty", False),
        ("### Diagnostics ID\n\n_No response_\n\n### Additional Info\n\nnothing", "empty", False),
        ("### Diagnostics ID\n\nN/A\n", "declined", True),
        ("- Diagnostics ID: see the attached zip", "other", False),
        (f"- Diagnostics ID: {G}", "given", False),
        ("Nothing about it here", "absent", False),
    ],
)
def test_id_line_state(text: str, state: str, declined: bool) -> None:
    ev = find_diagnostics(text)
    assert ev.id_line == state
    assert ev.declined is declined


OLD_MAC = f"""Docker for Mac: version: 17.06.0-ce-mac19 (4cdec4294a50b2233146b09469b49937dabdebdd)
macOS: version 10.12.5 (build: 16F73)
logs: /tmp/{G}/20170704-101112.tar.gz
failure: com.docker.slirp is not running
[OK]     vmnetd
[OK]     dns
[ERROR]  driver.amd64-linux
         com.docker.driver.amd64-linux -db is not running
         the VM exited
[WARN]   osxfs
[OK]     virtualization VT-X
"""

NEW_DIAG = """```
[PASS] DD0027: is there available disk space on the host?
[SKIP] DD0028: is there available VM disk space?
[FAIL] DD0031: does the Docker API work? error during connect: pipe not found
[FAIL] DD0004: is the Docker engine running?
[WARN] DD0033: does the host have Internet access?

Please investigate the following 2 issues:

1 : The test: does the Docker API work?
    Failed with: error during connect: pipe not found

2 : The test: is the Docker engine running?
    Failed with: engine linux/wsl not running
```"""


def test_old_mac_diagnose_output() -> None:
    ev = find_diagnostics(OLD_MAC)
    h = ev.header
    assert h is not None
    assert (h.product_version, h.product_build[:7] if h.product_build else None) == (
        "17.06.0-ce-mac19",
        "4cdec42",
    )
    assert (h.os_name, h.os_version, h.os_build) == ("macos", "10.12.5", "16F73")
    assert h.failure == "com.docker.slirp is not running"
    assert [(c.component, c.status) for c in ev.checks] == [
        ("vmnetd", "ok"),
        ("dns", "ok"),
        ("driver.amd64-linux", "fail"),
        ("osxfs", "warn"),
        ("virtualization VT-X", "ok"),
    ]
    assert ev.checks[2].detail == "com.docker.driver.amd64-linux -db is not running the VM exited"
    assert ev.failing_components == ("driver.amd64-linux", "slirp")
    assert [i.shape for i in ev.ids] == ["logs-path"]


def test_new_diagnose_check_output() -> None:
    ev = find_diagnostics(NEW_DIAG)
    assert [(c.code, c.status) for c in ev.checks] == [
        ("DD0027", "ok"),
        ("DD0028", "skip"),
        ("DD0031", "fail"),
        ("DD0004", "fail"),
        ("DD0033", "warn"),
    ]
    by_code = {c.code: c for c in ev.checks}
    assert by_code["DD0004"].question == "is the Docker engine running?"
    assert by_code["DD0004"].detail == "engine linux/wsl not running"
    assert by_code["DD0031"].detail == "error during connect: pipe not found"
    assert ev.failing_components == ("DD0031", "DD0004")
    assert ev.has_output and ev.present and not ev.ids


def _issue(body: str, comments: list[tuple[str, str]]) -> Issue:
    return Issue(
        ref=IssueRef(RepoRef("docker", "for-win"), 7),
        title="t",
        body=body,
        author="reporter",
        created_at=T0,
        updated_at=T0,
        comments=tuple(
            Comment(i + 1, who, text, T0, author_association=Association.NONE)
            for i, (who, text) in enumerate(comments)
        ),
    )


def test_id_given_later_by_the_reporter_counts_but_not_a_strangers() -> None:
    issue = _issue(
        "- Diagnostics ID:",
        [
            ("maintainer", f"Please upload: e.g. {G}/20210101010101 is the shape"),
            ("reporter", f"here you go {G}/20210506123456"),
        ],
    )
    ev = find_issue_diagnostics(issue)
    assert [i.timestamp for i in ev.ids] == ["20210506123456"]
    assert find_issue_diagnostics(issue, include_comments=False).ids == ()


def test_merge_prefers_given_over_declined() -> None:
    merged = merge([find_diagnostics("- Diagnostics ID: NA"), find_diagnostics(f"DID: {G}")])
    assert merged.id_line == "given" and not merged.declined and len(merged.ids) == 1
    declined = merge([find_diagnostics("- Diagnostics ID: NA"), find_diagnostics("thanks")])
    assert declined.declined


def test_many_repeated_ids_are_capped() -> None:
    ev = find_diagnostics("\n".join(f"DID: {G[:-4]}{n:04X}" for n in range(5000)))
    assert 0 < len(ev.ids) <= 50
