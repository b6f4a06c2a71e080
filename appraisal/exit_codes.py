"""Exit codes of the `reformkit` command (shared by every command; documented in each command's --help)."""

OK = 0  # success
BAD_INPUT = 2  # bad input: the study or the arguments
INFEASIBLE = 3  # no plan satisfies the rules (a diagnosis is printed)
NO_PLAN = 4  # no plan was found within the time limit
INTERRUPTED = 5  # interrupted (Ctrl-C, or a worker/scheduler lost beyond retry)
