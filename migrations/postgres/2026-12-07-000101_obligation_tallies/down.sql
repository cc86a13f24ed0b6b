DROP INDEX obligations_open_due_idx;
DROP INDEX obligations_due_idx;
DROP TRIGGER obligation_tally ON obligations;
DROP FUNCTION obligation_tally();
DROP TABLE obligation_tallies;
