-- Entering a tenant (issue 18): bind `app.tenant_id` for this transaction and check that the
-- county is active, in the same round trip as BEGIN (`BEGIN; SELECT shuanglian_enter_tenant(…)`
-- sent as one batch). It raises rather than returning the status so that a batch, which
-- returns no rows to the caller, still refuses a suspended or unknown county; the Rust side
-- maps the two messages to `tenant_suspended` and `unauthenticated`.
CREATE FUNCTION shuanglian_enter_tenant(tid text) RETURNS void
LANGUAGE plpgsql SECURITY INVOKER AS $$
DECLARE
  st text;
BEGIN
  PERFORM set_config('app.tenant_id', tid, true);
  SELECT status INTO st FROM tenants WHERE id = tid;
  IF st IS NULL THEN
    RAISE EXCEPTION 'shuanglian:tenant_unknown' USING ERRCODE = 'SLT01';
  ELSIF st <> 'active' THEN
    RAISE EXCEPTION 'shuanglian:tenant_suspended' USING ERRCODE = 'SLT02';
  END IF;
END
$$;

-- The deadline dashboard reads a county's tallies grouped by (owner, kind): in this index's
-- order, from the index alone, without visiting the tally rows (which the triggers rewrite on
-- every open and close, so the table spreads over many more pages than it holds rows).
CREATE INDEX obligation_tallies_owner_kind_idx
  ON obligation_tallies (tenant_id, owner_org_unit_id, kind) INCLUDE (due_on, open_n, done_n);
