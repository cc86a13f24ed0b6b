DROP TABLE feedback_items;
DROP TABLE feedback_batches;
