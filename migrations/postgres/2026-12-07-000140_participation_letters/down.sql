DROP TABLE participation_letters;
DROP TABLE letter_batches;
