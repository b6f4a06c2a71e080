"""Exit codes of the `reformkit` command (one meaning each; listed in `reformkit --help` and the README)."""
OK = 0           # success
INTERNAL = 1     # an unexpected internal error (a bug: please report it with the traceback)
BAD_INPUT = 2    # bad input: the study or the command-line arguments; every problem is listed
INFEASIBLE = 3   # no plan satisfies the rules; the diagnosis is printed
NO_PLAN = 4      # no plan found within the time limit
INTERRUPTED = 5  # interrupted: Ctrl-C, or a worker or the scheduler lost beyond retry

MEANINGS = {
    OK: "success",
    BAD_INPUT: "bad input (study or arguments); every problem is listed, nothing is written",
    INFEASIBLE: "infeasible: no plan satisfies the rules (diagnosis printed)",
    NO_PLAN: "no plan found within the time limit",
    INTERRUPTED: "interrupted (Ctrl-C, or a dask worker or scheduler lost beyond retry)",
    INTERNAL: "unexpected internal error",
}


def help_text() -> str:
    return "Exit codes: " + "; ".join(f"{code} {text}" for code, text in sorted(MEANINGS.items())) + "."


class BadInput(ValueError):
    """Bad input that is not a study problem: a command-line argument, an output folder (exit code 2)."""


class StoreLocked(BadInput):
    """The results store of an output folder is held by another run (exit code 2)."""


class SchedulerUnreachable(BadInput):
    """The dask scheduler named by --scheduler cannot be reached (exit code 2)."""


class Interrupted(RuntimeError):
    """The run was interrupted: Ctrl-C, or a worker or the scheduler lost beyond retry (exit code 5)."""


class Infeasible(RuntimeError):
    """No plan satisfies the rules; results and the diagnosis are written (exit code 3)."""


class NoPlan(RuntimeError):
    """No plan was found within the time limit (exit code 4)."""
