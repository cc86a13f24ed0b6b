DELETE FROM provinces;
