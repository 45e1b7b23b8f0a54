"""``python -m careverse ARGS`` with the tests' cheap argon2 parameters (``CHEAP_HASHER`` in
tests/conftest.py), run as a script by tests/e2e/support.py.

The browser tests run the real server and command line in subprocesses, which the test run's
patch cannot reach; every account they create and every sign-in would otherwise pay the
production hash (over a second on a loaded 2-core machine). Nothing else differs.
"""

import runpy

from argon2 import PasswordHasher

from careverse.identity import passwords

passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
passwords._DUMMY_HASH = passwords._hasher.hash("careverse-dummy-password")
runpy.run_module("careverse", run_name="__main__", alter_sys=True)
