-- Notice and consent for party membership, which PIPL treats as sensitive personal information
-- (SPEC §11): which notice was given (version and where its text is kept), when and in what form
-- the member consented, who recorded it, and, once withdrawn, when and who recorded that.
-- Rows are never deleted: a withdrawal is recorded on the row, a new consent is a new row.
CREATE TABLE member_consents (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    member_id TEXT NOT NULL,
    notice_version TEXT NOT NULL,
    notice_reference TEXT,
    consented_on DATE NOT NULL,
    form TEXT NOT NULL CHECK (form IN ('written', 'electronic')),
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    withdrawn_on DATE,
    withdrawn_by TEXT,
    withdrawn_at TIMESTAMP,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id),
    CHECK ((withdrawn_on IS NULL) = (withdrawn_by IS NULL)),
    CHECK ((withdrawn_on IS NULL) = (withdrawn_at IS NULL))
);
CREATE INDEX member_consents_member_idx ON member_consents (tenant_id, member_id);
-- One consent in force per member and notice version (two recorders at once cannot both add).
CREATE UNIQUE INDEX member_consents_in_force_idx ON member_consents (tenant_id, member_id, notice_version)
    WHERE withdrawn_on IS NULL;

ALTER TABLE member_consents ENABLE ROW LEVEL SECURITY;
ALTER TABLE member_consents FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON member_consents
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
