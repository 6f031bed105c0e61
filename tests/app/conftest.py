"""The GitHub test server fixture for the use-case tests that sync against it."""

from support.github_server import github_server

__all__ = ["github_server"]
