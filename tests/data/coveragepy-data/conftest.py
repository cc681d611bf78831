"""Keep covgap's own test run out of this fixture's test suite.

``tests/`` here is the program make.sh measures with coverage.py (it needs ``src`` on
``sys.path``); it is data for covgap's tests, not one of them.
"""

collect_ignore = ["tests"]
