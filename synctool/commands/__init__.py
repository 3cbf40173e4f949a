"""One module per command: plain typed functions that return an exit code."""
