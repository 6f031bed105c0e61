"""REST and GraphQL endpoints of the GitHub test server (see support.github_server)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from support.github_data import RepoData, iso, parse_iso
from triagedesk.adapters.github import graphql as gq

if TYPE_CHECKING:
    from support.github_server import GithubServer, Req, Resp

REPO = r"/repos/(?P<owner>[^/]+)/(?P<name>[^/]+)"


def _resp(status: int = 200, body: Any = None, headers: dict[str, str] | None = None) -> Resp:
    from support.github_server import Resp

    return Resp(status, body, headers or {})


def _not_found() -> Resp:
    return _resp(404, {"message": "Not Found"})


def _repo(s: GithubServer, m: re.Match[str]) -> RepoData | None:
    return s.state.repo(f"{m['owner']}/{m['name']}", create=False)


def _issue(s: GithubServer, m: re.Match[str]) -> tuple[RepoData, dict[str, Any]] | None:
    r = _repo(s, m)
    if r is None:
        return None
    issue = r.issues.get(int(m["number"]))
    return (r, issue) if issue is not None else None


def _invalid(message: str, code: str = "invalid") -> Resp:
    return _resp(
        422, {"message": "Validation Failed", "errors": [{"code": code, "message": message}]}
    )


# -- issues ------------------------------------------------------------------------------------


def list_issues(s: GithubServer, req: Req, m: re.Match[str]) -> Resp:
    r = _repo(s, m)
    if r is None:
        return _not_found()
    state = req.query.get("state", "open")
    rows = [i for i in r.issues.values() if state == "all" or i["state"] == state]
    if "since" in req.query:
        floor = parse_iso(req.query["since"])
        rows = [i for i in rows if parse_iso(i["updated_at"]) >= floor]
    sort = req.query.get("sort", "created")
    key = {"created": "created_at", "updated": "updated_at"}.get(sort, "created_at")
    rows.sort(
        key=lambda i: (i[key], i["number"]), reverse=req.query.get("direction", "desc") == "desc"
    )
    newest = max((parse_iso(i["updated_at"]) for i in r.issues.values()), default=None)
    return s.paginate(req, rows, newest)


def get_issue(s: GithubServer, req: Req, m: re.Match[str]) -> Resp:
    found = _issue(s, m)
    return _resp(200, found[1]) if found else _not_found()


def create_issue(s: GithubServer, req: Req, m: re.Match[str]) -> Resp:
    r = _repo(s, m)
    if r is None:
        return _not_found()
    body = req.body or {}
    if not body.get("title"):
        return _invalid("title is missing", "missing_field")
    issue = s.state.add_issue(
        r.full_name,
        title=body["title"],
        body=body.get("body") or "",
        user=s.state.actor,
        labels=tuple(body.get("labels") or ()),
    )
    issue["assignees"] = [{"login": a} for a in body.get("assignees") or ()]
    if s.search_lag:
        r.unindexed.add(issue["number"])
    return _resp(201, issue)


def update_issue(s: GithubServer, req: Req, m: re.Match[str]) -> Resp:
    found = _issue(s, m)
    if not found:
        return _not_found()
    r, issue = found
    body = req.body or {}
    for k in ("title", "body"):
        if k in body:
            issue[k] = body[k]
    if "state" in body and body["state"] != issue["state"]:
        issue["state"] = body["state"]
        if body["state"] == "closed":
            issue["closed_at"] = iso(s.clock())
            issue["state_reason"] = body.get("state_reason") or "completed"
            s.state.add_event(r, issue["number"], "closed", state_reason=issue["state_reason"])
        else:
            issue["closed_at"] = None
            issue["state_reason"] = "reopened"
            s.state.add_event(r, issue["number"], "reopened")
    elif "state_reason" in body and issue["state"] == "closed":
        issue["state_reason"] = body["state_reason"]
    s.state.touch(r, issue["number"])
    return _resp(200, issue)


# -- comments ----------------------------------------------------------------------------------


def list_comments(s: GithubServer, req: Req, m: re.Match[str]) -> Resp:
    found = _issue(s, m)
    if not found:
        return _not_found()
    r, issue = found
    return s.paginate(req, r.comments[issue["number"]])


def create_comment(s: GithubServer, req: Req, m: re.Match[str]) -> Resp:
    found = _issue(s, m)
    if not found:
        return _not_found()
    r, issue = found
    text = (req.body or {}).get("body")
    if not text:
        return _invalid("body is missing", "missing_field")
    comment = s.state._append_comment(r, issue["number"], text, s.state.actor, s.clock())
    return _resp(201, comment)


def update_comment(s: GithubServer, req: Req, m: re.Match[str]) -> Resp:
    r = _repo(s, m)
    comment = s.state.find_comment(r, int(m["cid"])) if r else None
    if r is None or comment is None:
        return _not_found()
    comment["body"] = (req.body or {}).get("body", comment["body"])
    comment["updated_at"] = iso(s.clock())
    for number, comments in r.comments.items():
        if comment in comments:
            s.state.touch(r, number)
    return _resp(200, comment)


def list_events(s: GithubServer, req: Req, m: re.Match[str]) -> Resp:
    found = _issue(s, m)
    if not found:
        return _not_found()
    r, issue = found
    return s.paginate(req, r.events[issue["number"]])


# -- labels and assignees on an issue ---------------------------------------------------------


def add_labels(s: GithubServer, req: Req, m: re.Match[str]) -> Resp:
    found = _issue(s, m)
    if not found:
        return _not_found()
    r, issue = found
    names = (req.body or {}).get("labels") or []
    have = {lab["name"].lower() for lab in issue["labels"]}
    for name in names:
        if name.lower() in have:
            continue
        label = s.state._label(r, name)
        issue["labels"].append(dict(label))
        have.add(name.lower())
        s.state.add_event(
            r, issue["number"], "labeled", label={"name": label["name"], "color": label["color"]}
        )
        s.state.touch(r, issue["number"])
    return _resp(200, issue["labels"])


def remove_label(s: GithubServer, req: Req, m: re.Match[str]) -> Resp:
    found = _issue(s, m)
    if not found:
        return _not_found()
    r, issue = found
    name = m["label"].lower()
    kept = [lab for lab in issue["labels"] if lab["name"].lower() != name]
    if len(kept) == len(issue["labels"]):
        return _resp(404, {"message": "Label does not exist"})
    removed = next(lab for lab in issue["labels"] if lab["name"].lower() == name)
    issue["labels"] = kept
    s.state.add_event(
        r, issue["number"], "unlabeled", label={"name": removed["name"], "color": removed["color"]}
    )
    s.state.touch(r, issue["number"])
    return _resp(200, kept)


def add_assignees(s: GithubServer, req: Req, m: re.Match[str]) -> Resp:
    found = _issue(s, m)
    if not found:
        return _not_found()
    r, issue = found
    have = {a["login"] for a in issue["assignees"]}
    for login in (req.body or {}).get("assignees") or []:
        if login not in have:
            issue["assignees"].append({"login": login})
            have.add(login)
            s.state.add_event(r, issue["number"], "assigned", assignee={"login": login})
            s.state.touch(r, issue["number"])
    return _resp(201, issue)


# -- repository labels -------------------------------------------------------------------------


def list_repo_labels(s: GithubServer, req: Req, m: re.Match[str]) -> Resp:
    r = _repo(s, m)
    if r is None:
        return _not_found()
    return s.paginate(req, sorted(r.labels.values(), key=lambda lab: lab["name"].lower()))


def get_repo_label(s: GithubServer, req: Req, m: re.Match[str]) -> Resp:
    r = _repo(s, m)
    label = r.labels.get(m["label"].lower()) if r else None
    return _resp(200, label) if label else _not_found()


def create_repo_label(s: GithubServer, req: Req, m: re.Match[str]) -> Resp:
    r = _repo(s, m)
    if r is None:
        return _not_found()
    body = req.body or {}
    name = str(body.get("name") or "")
    if not name:
        return _invalid("name is missing", "missing_field")
    if name.lower() in r.labels:
        return _invalid("label already exists", "already_exists")
    label = s.state._label(
        r, name, str(body.get("color") or "ededed"), str(body.get("description") or "")
    )
    return _resp(201, label)


def update_repo_label(s: GithubServer, req: Req, m: re.Match[str]) -> Resp:
    r = _repo(s, m)
    label = r.labels.get(m["label"].lower()) if r else None
    if r is None or label is None:
        return _not_found()
    body = req.body or {}
    new_name = str(body.get("new_name") or label["name"])
    if new_name.lower() != label["name"].lower() and new_name.lower() in r.labels:
        return _invalid("label already exists", "already_exists")
    del r.labels[label["name"].lower()]
    label["name"] = new_name
    label["color"] = str(body.get("color") or label["color"])
    if "description" in body:
        label["description"] = str(body["description"] or "")
    r.labels[new_name.lower()] = label
    return _resp(200, label)


# -- search ------------------------------------------------------------------------------------


def search_issues(s: GithubServer, req: Req, m: re.Match[str]) -> Resp:
    q = req.query.get("q", "")
    repo_m = re.search(r"repo:(\S+)", q)
    phrase_m = re.search(r'"([^"]*)"', q)
    r = s.state.repo(repo_m.group(1), create=False) if repo_m else None
    items = []
    if r is not None and phrase_m:
        phrase = phrase_m.group(1).lower()
        for issue in r.issues.values():
            if issue["number"] in r.unindexed:
                continue
            if "is:issue" in q and "pull_request" in issue:
                continue
            if phrase in (issue["body"] or "").lower():
                items.append(issue)
    return _resp(
        200, {"total_count": len(items), "incomplete_results": False, "items": items[:100]}
    )


# -- GitHub App ------------------------------------------------------------------------------


def list_installations(s: GithubServer, req: Req, m: re.Match[str]) -> Resp:
    app_id = req.headers.get("x-app-id")
    return _resp(
        200, [{"id": i, "app_id": int(a)} for i, a in s.installations.items() if a == app_id]
    )


def installation_token(s: GithubServer, req: Req, m: re.Match[str]) -> Resp:
    if s.installations.get(int(m["iid"])) != req.headers.get("x-app-id"):
        return _not_found()
    token, expires = s.new_token()
    return _resp(201, {"token": token, "expires_at": iso(expires)})


# -- GraphQL ---------------------------------------------------------------------------------


def graphql(s: GithubServer, req: Req, m: re.Match[str]) -> Resp:
    body = req.body or {}
    op = body.get("operationName")
    query = body.get("query")
    v = body.get("variables") or {}
    if op not in gq.QUERIES or query != gq.QUERIES[op]:
        return _resp(
            200, {"errors": [{"message": f"the test server does not know this query ({op})"}]}
        )
    r = s.state.repo(f"{v.get('owner')}/{v.get('name')}", create=False)
    if r is None:
        return _resp(
            200,
            {
                "data": {"repository": None},
                "errors": [{"type": "NOT_FOUND", "message": "Could not resolve to a Repository"}],
            },
        )
    bucket = s.bucket("graphql")
    rate = {"cost": 1, "remaining": bucket.remaining - 1, "resetAt": iso(bucket.reset)}
    if op == "IssuesPage":
        page = s.state.issues_page(r, int(v["first"]), v.get("after"), v.get("since"))
        return _resp(200, {"data": {"rateLimit": rate, "repository": {"issues": page}}})
    issue = r.issues.get(int(v["number"]))
    if issue is None or "pull_request" in issue:
        return _resp(
            200,
            {
                "data": {"repository": {"issue": None}},
                "errors": [{"type": "NOT_FOUND", "message": "Could not resolve to an Issue"}],
            },
        )
    number = issue["number"]
    if op == "IssueComments":
        items = [s.state.gql_comment(c) for c in r.comments[number]]
        nodes, info = s.state.page(items, 100, v.get("after"))
        return _resp(
            200,
            {"data": {"repository": {"issue": {"comments": {"pageInfo": info, "nodes": nodes}}}}},
        )
    items = [x for x in (s.state.gql_event(e) for e in r.events[number]) if x]
    nodes, info = s.state.page(items, 100, v.get("after"))
    return _resp(
        200,
        {"data": {"repository": {"issue": {"timelineItems": {"pageInfo": info, "nodes": nodes}}}}},
    )


def register(s: GithubServer) -> None:
    add = s.add_route
    add("GET", REPO + r"/issues", list_issues)
    add("POST", REPO + r"/issues", create_issue)
    add("GET", REPO + r"/issues/(?P<number>\d+)", get_issue)
    add("PATCH", REPO + r"/issues/(?P<number>\d+)", update_issue)
    add("GET", REPO + r"/issues/(?P<number>\d+)/comments", list_comments)
    add("POST", REPO + r"/issues/(?P<number>\d+)/comments", create_comment)
    add("PATCH", REPO + r"/issues/comments/(?P<cid>\d+)", update_comment)
    add("GET", REPO + r"/issues/(?P<number>\d+)/events", list_events)
    add("POST", REPO + r"/issues/(?P<number>\d+)/labels", add_labels)
    add("DELETE", REPO + r"/issues/(?P<number>\d+)/labels/(?P<label>.+)", remove_label)
    add("POST", REPO + r"/issues/(?P<number>\d+)/assignees", add_assignees)
    add("GET", REPO + r"/labels", list_repo_labels)
    add("POST", REPO + r"/labels", create_repo_label)
    add("GET", REPO + r"/labels/(?P<label>.+)", get_repo_label)
    add("PATCH", REPO + r"/labels/(?P<label>.+)", update_repo_label)
    add("GET", r"/search/issues", search_issues)
    add("GET", r"/app/installations", list_installations)
    add("POST", r"/app/installations/(?P<iid>\d+)/access_tokens", installation_token)
    add("POST", r"/graphql", graphql)
