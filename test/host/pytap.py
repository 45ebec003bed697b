"""What the Python host tests (test/host/test_*.py) share: load a script
of scripts/ as a module, and run test functions printing TAP, which
test/run.py reads as it reads cmocka's."""

import importlib.util
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]


def load_script(module_name, relpath):
    """Loads ROOT/relpath (a script whose name need not be a module name)."""
    spec = importlib.util.spec_from_file_location(module_name, ROOT / relpath)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(tests):
    """Runs each t_<name> function; returns the exit status (1 if any failed)."""
    print(f"1..{len(tests)}")
    failed = 0
    for i, t in enumerate(tests, 1):
        try:
            t()
            print(f"ok {i} - {t.__name__[2:]}")
        except Exception as e:  # an assertion or a crash in the script
            failed += 1
            print(f"not ok {i} - {t.__name__[2:]}")
            print(f"# {type(e).__name__}: {e}")
    return 1 if failed else 0
