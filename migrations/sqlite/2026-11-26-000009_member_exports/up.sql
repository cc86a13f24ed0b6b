-- Exports of the member register (SPEC §11): requested with a reason and a filter, approved or
-- denied by a county admin other than the requester when personal identifiers are included,
-- downloadable once, by the requester only. The file itself is never stored: it is written
-- at download time, stamped with who exported it and when.
CREATE TABLE member_exports (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at TIMESTAMP NOT NULL,
    reason TEXT NOT NULL,
    query TEXT NOT NULL,
    personal BOOLEAN NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'downloaded')),
    decided_by TEXT,
    decided_at TIMESTAMP,
    decision_note TEXT,
    downloaded_at TIMESTAMP,
    row_count BIGINT,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, requested_by) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, decided_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX member_exports_status_idx ON member_exports (tenant_id, status, id);
