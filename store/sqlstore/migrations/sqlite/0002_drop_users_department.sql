-- list-users --department compares lower(department), which this index
-- cannot serve, while every user added paid to maintain it: bulk imports
-- of a million users ran a third slower with it.
DROP INDEX IF EXISTS users_department;
