DROP INDEX obligations_open_due_idx;
DROP INDEX obligations_due_idx;
DROP TRIGGER obligation_tally_update;
DROP TRIGGER obligation_tally_delete;
DROP TRIGGER obligation_tally_insert;
DROP TABLE obligation_tallies;
