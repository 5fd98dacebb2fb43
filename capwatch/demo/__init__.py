"""`capwatch demo`: a local replay of a sample day and the run that watches it."""
