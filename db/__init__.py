"""PostgreSQL: the embedded server bootstrap, ordered SQL migrations and all of capwatch's SQL."""
