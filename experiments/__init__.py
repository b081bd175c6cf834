"""The experiment runner and the ``negsim`` command line."""
