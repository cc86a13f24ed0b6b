DROP TABLE branch_evaluations;
DROP TABLE rubrics;
