"""Test doubles shared by tests, benches and the screenshot tool: the fake clock, the held
background runner and the robot user. Nothing in the product imports this package; an installed
station has no ``tests/`` at all.
"""
