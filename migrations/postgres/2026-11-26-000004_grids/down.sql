DROP TABLE grid_townships;
DROP TABLE grids;
