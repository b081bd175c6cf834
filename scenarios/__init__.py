"""Shipped scenario files (data only).

This file makes the folder the package ``negsim.scenarios``, so the scenarios and example
negotiations install with negsim and are found by name through :mod:`negsim.shipped`.
"""
