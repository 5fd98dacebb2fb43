"""One module per page (or pair of pages) of the console."""
