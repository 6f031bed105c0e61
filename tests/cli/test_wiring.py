"""The composition root's issue references: a bare number is never guessed across repositories."""

from __future__ import annotations

import pytest

from triagedesk.cli.wiring import parse_issue
from triagedesk.domain.errors import UserError
from triagedesk.domain.model import IssueRef, RepoRef
from triagedesk.settings import Settings, from_mapping

MAC = RepoRef("docker", "for-mac")


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("docker/for-win#12", IssueRef(RepoRef("docker", "for-win"), 12)),
        ("https://github.com/docker/for-mac/issues/7", IssueRef(MAC, 7)),
    ],
)
def test_full_references(text: str, want: IssueRef) -> None:
    assert parse_issue(Settings(), text) == want


def test_bare_number_is_ambiguous_with_two_public_repositories() -> None:
    with pytest.raises(UserError, match=r"say which repository \(docker/for-mac, docker/for-win\)"):
        parse_issue(Settings(), "12")


def test_bare_number_with_one_repository_or_a_given_default() -> None:
    one = from_mapping({"profile": {"public_repos": [{"name": "acme/app"}]}})
    assert parse_issue(one, "#5") == IssueRef(RepoRef("acme", "app"), 5)
    assert parse_issue(Settings(), "5", default_repo=MAC) == IssueRef(MAC, 5)


def test_nonsense_is_a_user_error() -> None:
    with pytest.raises(UserError, match="not an issue reference"):
        parse_issue(Settings(), "nonsense")
