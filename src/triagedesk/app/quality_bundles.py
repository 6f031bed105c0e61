"""Diagnostics bundle lookups for the checklist, cached in the checklist store."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from triagedesk.app.context import AppContext
from triagedesk.domain.checklist import BundleCheck, IssueEvidence
from triagedesk.domain.errors import ExternalServiceError, UserError

#: a "not in the bucket" answer is trusted this long before asking again (uploads can lag)
NOT_FOUND_FRESH = timedelta(hours=6)
#: the detail of a bundle check whose bundle was scanned
SCANNED = "scanned"


@dataclass
class BundleLookup:
    """Bundle lookups for one run: cached in the store; after the bucket fails once, the
    rest of the run is "could not verify" without waiting on it again."""

    ctx: AppContext
    down: str = ""
    asked: int = 0
    #: download found bundles once and scan them (None: ``quality.scan_bundles``)
    scan: bool | None = None
    scanned: int = 0

    def checks(self, evidence: IssueEvidence) -> dict[str, BundleCheck] | None:
        ids = evidence.diagnostics.ids
        bucket = self.ctx.diagnostics
        if not ids:
            return {}
        if bucket is None or not self.ctx.settings.quality.verify_bundles:
            return None
        out: dict[str, BundleCheck] = {}
        now = self.ctx.now()
        store = self.ctx.checklists
        for diag in ids[:5]:
            cached = store.bundle_check(diag.id) if store is not None else None
            if cached is not None:
                check, at = cached
                if check.state == "found" or (
                    check.state == "not-found" and now - at < NOT_FOUND_FRESH
                ):
                    out[diag.id] = check
                    continue
            if self.down:
                out[diag.id] = BundleCheck(diag.id, "error", detail=self.down)
                continue
            try:
                self.asked += 1
                info = bucket.find_bundle(diag.uuid, diag.timestamp)
            except ExternalServiceError as exc:
                self.down = str(exc)
                check = BundleCheck(diag.id, "error", detail=str(exc))
            else:
                check = (
                    BundleCheck(diag.id, "not-found", detail="not in the bucket")
                    if info is None
                    else BundleCheck(
                        diag.id, "found", key=info.key, size=info.size, uploaded_at=info.uploaded_at
                    )
                )
            if store is not None:
                store.save_bundle_check(check, now)
            out[diag.id] = check
        return {k: self._scanned(v) for k, v in out.items()}

    def _scanned(self, check: BundleCheck) -> BundleCheck:
        """The check with the known failures of its bundle, scanned once per bundle."""
        scan = self.ctx.settings.quality.scan_bundles if self.scan is None else self.scan
        bucket = self.ctx.diagnostics
        if not scan or bucket is None or check.state != "found" or self.down:
            return check
        if check.signatures or check.detail.startswith(SCANNED):
            return check
        try:
            self.scanned += 1
            hits = bucket.scan_bundle(check.key)
        except ExternalServiceError as exc:
            self.down = str(exc)
            return check
        except UserError as exc:  # refused as unsafe or damaged: say so, do not retry
            done = replace(check, detail=f"{SCANNED}: refused: {exc}")
        else:
            done = replace(
                check,
                detail=f"{SCANNED}: {len(hits)} known failures",
                signatures=tuple(f"{h.area}: {h.hint} ({h.path})" for h in hits),
            )
        if self.ctx.checklists is not None:
            self.ctx.checklists.save_bundle_check(done, self.ctx.now())
        return done
