"""The GitHub test server fixture for these tests."""

from support.github_server import github_server

__all__ = ["github_server"]
