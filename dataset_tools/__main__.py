"""``python -m dataset_tools`` runs the command line."""

from dataset_tools.console import main

main()
