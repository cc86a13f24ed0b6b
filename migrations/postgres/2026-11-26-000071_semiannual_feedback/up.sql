-- Semi-annual two-way feedback (定期双向反馈, seed 000 任务4): by 15 July (first half) and
-- 15 January of the next year (second half) the branch sends feedback on each member's conduct
-- at the business place (经营地表现) to the village holding the membership, and the village on
-- conduct at the residence (居住地表现) to the branch; each is reviewed by the sender's upper
-- committee first (association committee / township committee), then sent online and
-- acknowledged by the receiver.
CREATE TABLE feedback_batches (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('branch_to_village', 'village_to_branch')),
    sender_id TEXT NOT NULL,
    receiver_id TEXT NOT NULL,
    -- The committee that reviews: the association committee for a branch, the village's
    -- township for a village.
    reviewer_unit_id TEXT NOT NULL,
    -- '2026H1', '2026H2'.
    period TEXT NOT NULL,
    due_on DATE NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'returned', 'approved', 'sent', 'acknowledged')),
    drafted_by TEXT NOT NULL,
    submitted_at TIMESTAMP,
    submitted_by TEXT,
    reviewed_on DATE,
    reviewed_by TEXT,
    review_note TEXT,
    return_reason TEXT,
    sent_on DATE,
    sent_by TEXT,
    acknowledged_on DATE,
    acknowledged_by TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, sender_id, receiver_id, period),
    FOREIGN KEY (tenant_id, sender_id) REFERENCES org_units (tenant_id, id),
    FOREIGN KEY (tenant_id, receiver_id) REFERENCES org_units (tenant_id, id),
    FOREIGN KEY (tenant_id, reviewer_unit_id) REFERENCES org_units (tenant_id, id)
);
CREATE INDEX feedback_batches_receiver_idx ON feedback_batches (tenant_id, receiver_id, period);
CREATE INDEX feedback_batches_period_idx ON feedback_batches (tenant_id, period, state);

-- One member's feedback in a batch.
CREATE TABLE feedback_items (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    batch_id TEXT NOT NULL,
    member_id TEXT NOT NULL,
    text TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, batch_id, member_id),
    FOREIGN KEY (tenant_id, batch_id) REFERENCES feedback_batches (tenant_id, id),
    FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id)
);
CREATE INDEX feedback_items_member_idx ON feedback_items (tenant_id, member_id);

ALTER TABLE feedback_batches ENABLE ROW LEVEL SECURITY;
ALTER TABLE feedback_batches FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON feedback_batches
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE feedback_items ENABLE ROW LEVEL SECURITY;
ALTER TABLE feedback_items FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON feedback_items
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
