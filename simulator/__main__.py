"""``python -m negsim``: the command line."""

from negsim.cli import main

main()
