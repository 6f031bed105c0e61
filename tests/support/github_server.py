"""A GitHub API server on 127.0.0.1 speaking the REST and GraphQL subset triagedesk uses.

Real HTTP (a threaded ``http.server`` with keep-alive), in-memory state
(:mod:`support.github_data`), and the behaviour the client must cope with:

* Link-header pagination (``page``/``per_page``), ETags and ``If-None-Match`` /
  ``If-Modified-Since`` answered 304 (a 304 does not use rate limit, as on GitHub);
* ``X-RateLimit-*`` headers per resource (core, graphql, search) with a settable
  budget and reset; an exhausted budget answers 403 "API rate limit exceeded";
* faults queued per route: any status (5xx, secondary-limit 403/429 with
  ``Retry-After``), delays longer than the client's timeout, dropped connections,
  and "apply then fail" (the write happens, the answer says 502);
* a request log (method, path, query, status) to count requests;
* GraphQL answering exactly the queries in :mod:`triagedesk.adapters.github.graphql`;
* token auth, and GitHub App auth (RS256 JWT checked with the App's public key,
  installation tokens that expire by the server's clock).

``server.add_route(method, regex, handler)`` lets other tests add endpoints.
Use the ``github_server`` fixture, or ``with GithubServer() as server:``.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets as pysecrets
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import jwt
import pytest

from support import github_routes
from support.github_data import GithubState, RepoData, iso, parse_iso

__all__ = [
    "PASS",
    "FakeClock",
    "Fault",
    "GithubServer",
    "Logged",
    "Req",
    "Resp",
    "github_server",
    "iso",
    "parse_iso",
]

TOKEN = "ghp_testtoken_0123456789abcdef"
#: a Fault status meaning "no fault: answer normally"
PASS = 0


@dataclass
class Fault:
    """What to do instead of (or after) answering one request.

    ``Fault(PASS)`` answers normally: queue ``Fault(PASS), Fault(PASS), Fault(502)`` to fail
    the third request only.
    """

    status: int = 502
    #: seconds to wait before answering (longer than the client's timeout = a timeout)
    delay: float = 0.0
    retry_after: float | None = None
    message: str = ""
    #: carry the request out first, then answer with ``status`` (a write that "failed")
    apply: bool = False
    #: close the connection without an answer
    drop: bool = False


@dataclass
class Logged:
    method: str
    path: str
    query: str
    status: int


@dataclass
class Req:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    #: "/api/v3" when the client speaks to us as a GitHub Enterprise Server
    prefix: str = ""


@dataclass
class Resp:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Bucket:
    limit: int = 5000
    remaining: int = 5000
    reset: float = 0.0


class FakeClock:
    """A clock and a sleep for the client (and the server): sleeping advances time."""

    def __init__(self, start: float | None = None) -> None:
        self.t = time.time() if start is None else start
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.t

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.t += max(0.0, seconds)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.t += seconds


Handler = Callable[["GithubServer", Req, re.Match[str]], Resp]


class GithubServer:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.lock = threading.RLock()
        self.state = GithubState(lambda: self.url, lambda: self.clock())
        self.log: list[Logged] = []
        self.faults: dict[tuple[str, str], deque[Fault]] = {}
        self.buckets: dict[str, Bucket] = {}
        self.tokens: set[str] = {TOKEN}
        #: installation token -> expiry (server clock)
        self.installation_tokens: dict[str, float] = {}
        #: app id -> PEM public key
        self.apps: dict[str, bytes] = {}
        #: installation id -> app id
        self.installations: dict[int, str] = {}
        #: newly created issues are hidden from search (GitHub's index lags)
        self.search_lag = False
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = []
        github_routes.register(self)
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> GithubServer:
        server = self

        class _H(_Handler):
            owner = server

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _H)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> GithubServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._httpd is not None, "server not started"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def graphql_url(self) -> str:
        return self.url + "/graphql"

    # -- test controls ------------------------------------------------------------------------

    def add_route(self, method: str, pattern: str, handler: Handler) -> None:
        self.routes.append((method.upper(), re.compile(f"^{pattern}$"), handler))

    def inject(self, method: str, path: str, *faults: Fault) -> None:
        """Queue faults for ``METHOD path`` (path without query; ``*`` matches any path)."""
        with self.lock:
            self.faults.setdefault((method.upper(), path), deque()).extend(faults)

    def set_rate(
        self, resource: str = "core", *, remaining: int, limit: int = 5000, reset_in: float = 3600
    ) -> None:
        with self.lock:
            self.buckets[resource] = Bucket(limit, remaining, self.clock() + reset_in)

    def bucket(self, resource: str) -> Bucket:
        b = self.buckets.get(resource)
        now = self.clock()
        if b is None or now >= b.reset:
            limit = b.limit if b else 5000
            b = Bucket(limit, limit, now + 3600)
            self.buckets[resource] = b
        return b

    def add_app(self, app_id: str, public_pem: bytes, installation_id: int) -> None:
        self.apps[app_id] = public_pem
        self.installations[installation_id] = app_id

    def add_issue(self, repo: str, **kw: Any) -> dict[str, Any]:
        with self.lock:
            return self.state.add_issue(repo, **kw)

    def repo(self, full_name: str) -> RepoData:
        r = self.state.repo(full_name)
        assert r is not None
        return r

    def requests(self, method: str | None = None, path: str | None = None) -> list[Logged]:
        with self.lock:
            return [
                x
                for x in self.log
                if (method is None or x.method == method.upper())
                and (
                    path is None
                    or x.path == path
                    or (path.endswith("*") and x.path.startswith(path[:-1]))
                )
            ]

    def clear_log(self) -> None:
        with self.lock:
            self.log.clear()

    # -- dispatch -----------------------------------------------------------------------------

    def _resource(self, path: str) -> str:
        if path == "/graphql":
            return "graphql"
        if path.startswith("/search/"):
            return "search"
        return "core"

    def _authorised(self, req: Req) -> bool:
        value = req.headers.get("authorization", "")
        scheme, _, token = value.partition(" ")
        if scheme.lower() not in ("bearer", "token") or not token:
            return False
        if req.path.startswith("/app/"):
            return self._check_jwt(token, req)
        if token in self.tokens:
            return True
        expiry = self.installation_tokens.get(token)
        return expiry is not None and self.clock() < expiry

    def _check_jwt(self, token: str, req: Req) -> bool:
        try:
            claims = jwt.decode(token, options={"verify_signature": False})
            key = self.apps.get(str(claims.get("iss")))
            if key is None:
                return False
            claims = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
            )
        except jwt.PyJWTError:
            return False
        now = self.clock()
        if not (claims["iat"] <= now + 60 and now < claims["exp"] <= claims["iat"] + 660):
            return False
        req.headers["x-app-id"] = str(claims["iss"])
        return True

    def handle(self, req: Req) -> tuple[Resp, Fault | None]:
        """Answer one request (called by the HTTP handler thread)."""
        with self.lock:
            fault = self._next_fault(req)
            if fault is not None and fault.status == PASS:
                fault = None
            if fault is not None and not fault.apply:
                return self._fault_resp(fault, req), fault
            resource = self._resource(req.path)
            bucket = self.bucket(resource)
            if not self._authorised(req):
                resp = Resp(401, {"message": "Bad credentials"})
            elif bucket.remaining <= 0 and resource == "graphql":
                # GraphQL reports its primary limit in a 200 answer
                resp = Resp(
                    200,
                    {
                        "data": None,
                        "errors": [{"type": "RATE_LIMITED", "message": "API rate limit exceeded"}],
                    },
                )
            elif bucket.remaining <= 0:
                resp = Resp(403, {"message": "API rate limit exceeded for installation."})
            else:
                resp = self._route(req)
                resp = self._conditional(req, resp)
                if resp.status != 304:
                    bucket.remaining -= 1
            resp.headers.update(
                {
                    "X-RateLimit-Limit": str(bucket.limit),
                    "X-RateLimit-Remaining": str(max(0, bucket.remaining)),
                    "X-RateLimit-Reset": str(int(bucket.reset)),
                    "X-RateLimit-Used": str(bucket.limit - bucket.remaining),
                    "X-RateLimit-Resource": resource,
                }
            )
            if fault is not None:  # apply-then-fail: the work is done, the answer lies
                return self._fault_resp(fault, req), fault
            return resp, None

    def _next_fault(self, req: Req) -> Fault | None:
        for key in ((req.method, req.path), (req.method, "*")):
            queue = self.faults.get(key)
            if queue:
                return queue.popleft()
        return None

    def _fault_resp(self, fault: Fault, req: Req) -> Resp:
        headers: dict[str, str] = {}
        if fault.retry_after is not None:
            headers["Retry-After"] = str(int(fault.retry_after))
        message = fault.message
        if not message:
            message = (
                "You have exceeded a secondary rate limit. Please wait a few minutes."
                if fault.status in (403, 429)
                else "Server Error"
            )
        return Resp(fault.status, {"message": message}, headers)

    def _route(self, req: Req) -> Resp:
        for method, pattern, handler in self.routes:
            if method != req.method:
                continue
            m = pattern.match(req.path)
            if m:
                return handler(self, req, m)
        return Resp(404, {"message": "Not Found"})

    def _conditional(self, req: Req, resp: Resp) -> Resp:
        if req.method != "GET" or resp.status != 200:
            return resp
        data = json.dumps(resp.body, sort_keys=True).encode()
        etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
        resp.headers["ETag"] = etag
        inm = req.headers.get("if-none-match")
        if inm is not None:
            if etag in [t.strip() for t in inm.split(",")]:
                return Resp(304, None, resp.headers)
            return resp
        ims = req.headers.get("if-modified-since")
        last = resp.headers.get("Last-Modified")
        if ims and last:
            try:
                if parsedate_to_datetime(last) <= parsedate_to_datetime(ims):
                    return Resp(304, None, resp.headers)
            except (TypeError, ValueError):
                pass
        return resp

    def record(self, req: Req, raw_query: str, status: int) -> None:
        with self.lock:
            self.log.append(Logged(req.method, req.path, raw_query, status))

    # -- helpers for route handlers ----------------------------------------------------------

    def paginate(self, req: Req, items: list[Any], last_modified: float | None = None) -> Resp:
        per_page = min(100, max(1, int(req.query.get("per_page", "30"))))
        page = max(1, int(req.query.get("page", "1")))
        chunk = items[(page - 1) * per_page : page * per_page]
        pages = max(1, -(-len(items) // per_page))
        links = []

        def link(n: int, rel: str) -> str:
            q = dict(req.query, page=str(n), per_page=str(per_page))
            return f'<{self.url}{req.prefix}{req.path}?{urlencode(q)}>; rel="{rel}"'

        if page < pages:
            links.append(link(page + 1, "next"))
            links.append(link(pages, "last"))
        if page > 1:
            links.append(link(page - 1, "prev"))
            links.append(link(1, "first"))
        headers = {"Link": ", ".join(links)} if links else {}
        if last_modified is not None:
            headers["Last-Modified"] = formatdate(last_modified, usegmt=True)
        return Resp(200, chunk, headers)

    def new_token(self) -> tuple[str, float]:
        token = "ghs_" + pysecrets.token_hex(16)
        expires = self.clock() + 3600
        self.installation_tokens[token] = expires
        return token, expires


class _Handler(BaseHTTPRequestHandler):
    owner: GithubServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return None  # quiet: the server keeps its own log

    def setup(self) -> None:
        super().setup()
        # headers and body go out as two writes: without this, Nagle's algorithm and the
        # client's delayed ACK add ~40 ms to every keep-alive answer
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _serve(self) -> None:
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        path, prefix = unquote(split.path), ""
        # GitHub Enterprise Server: REST under /api/v3, GraphQL at /api/graphql
        if path.startswith("/api/v3/"):
            path, prefix = path[len("/api/v3") :], "/api/v3"
        elif path == "/api/graphql":
            path, prefix = "/graphql", "/api"
        req = Req(
            self.command,
            path,
            query,
            {k.lower(): v for k, v in self.headers.items()},
            body,
            prefix,
        )
        try:
            resp, fault = self.owner.handle(req)
        except Exception as exc:  # a bug in the fake: answer 500 so the test sees it
            resp, fault = Resp(500, {"message": f"test server error: {exc!r}"}), None
        self.owner.record(req, split.query, 0 if fault and fault.drop else resp.status)
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        if fault is not None and fault.drop:
            self.close_connection = True
            return
        data = b"" if resp.body is None or resp.status == 304 else json.dumps(resp.body).encode()
        try:
            self.send_response(resp.status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for k, v in resp.headers.items():
                self.send_header(k, v)
            self.end_headers()
            if data:
                self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve


@pytest.fixture
def github_server() -> Iterator[GithubServer]:
    """A running GitHub test server (real clock); tests may swap ``server.clock``."""
    server = GithubServer().start()
    try:
        yield server
    finally:
        server.stop()
