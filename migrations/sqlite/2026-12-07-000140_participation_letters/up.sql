-- The 30 December letters (seed 002 附件3 三 4, issue 15 item 4): every year each service centre
-- tells the home organisation of each member of its region how the member took part in
-- activities, operated lawfully and kept their credit. A batch per centre and year is generated
-- from what is recorded, printed, marked sent (which meets the `participation_letters`
-- deadline), and each letter's receipt is tracked and chased as for floating members.
CREATE TABLE letter_batches (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    centre_id TEXT NOT NULL,
    year INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    state TEXT NOT NULL CHECK (state IN ('draft', 'sent')),
    letters INTEGER NOT NULL,
    generated_by TEXT NOT NULL,
    generated_on DATE NOT NULL,
    sent_on DATE,
    sent_method TEXT CHECK (sent_method IN ('post', 'hand', 'online')),
    sent_by TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, centre_id, year),
    FOREIGN KEY (tenant_id, centre_id) REFERENCES org_units (tenant_id, id),
    CHECK ((state = 'sent') = (sent_on IS NOT NULL))
);

CREATE TABLE participation_letters (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    batch_id TEXT NOT NULL,
    member_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    -- The home organisation: a unit of the county, or the name the register holds.
    recipient TEXT NOT NULL,
    recipient_unit_id TEXT,
    -- The three statements, as generated (the letter as printed).
    activities TEXT NOT NULL,
    operation TEXT NOT NULL,
    credit TEXT NOT NULL,
    received_on DATE,
    received_by TEXT,
    receipt_note TEXT,
    chases INTEGER NOT NULL DEFAULT 0,
    last_chased_on DATE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, batch_id, member_id),
    UNIQUE (tenant_id, batch_id, seq),
    FOREIGN KEY (tenant_id, batch_id) REFERENCES letter_batches (tenant_id, id),
    FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id)
);
CREATE INDEX participation_letters_member_idx ON participation_letters (tenant_id, member_id);
