"""One module per site that needs code; declarative kinds have one generic spider each."""
