"""Reading table files and data packages: the one reader every command uses."""
