-- Member status history (SPEC §3, issue 4 item 5): probationary → full (转正), business
-- suspended / closed / resumed, away operating since (外出经营) and back, transfer of the
-- membership into or out of the county (组织关系转入/转出). The member row keeps the current
-- state; each change is one row here, written in the same transaction.
CREATE TABLE member_status_history (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    member_id TEXT NOT NULL,
    change TEXT NOT NULL CHECK (change IN ('membership_status', 'business_status', 'away', 'returned', 'transfer_in', 'transfer_out')),
    from_value TEXT NOT NULL,
    to_value TEXT NOT NULL,
    effective_on DATE NOT NULL,
    from_org TEXT,
    to_org TEXT,
    reason TEXT,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id)
);
CREATE INDEX member_status_history_member_idx ON member_status_history (tenant_id, member_id);

ALTER TABLE member_status_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE member_status_history FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON member_status_history
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
