"""Run test_shop's tests without pytest: a quick start-up for make.sh.

coverage.py's ``dynamic_context = test_function`` names a context after any running
function whose name starts with ``test``, so plain calls give the same contexts.
"""

import test_shop

for name in sorted(dir(test_shop)):
    if name.startswith("test_"):
        getattr(test_shop, name)()
