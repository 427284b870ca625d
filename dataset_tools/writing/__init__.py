"""Writing table files: canonical CSV, atomic writes, the formatter."""
