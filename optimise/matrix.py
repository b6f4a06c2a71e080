"""A Pyomo model as the arrays HiGHS takes (``MatrixModel``), compiled by Pyomo's standard-form compiler."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class MatrixModel:
    """A linear model as HiGHS takes it (column-wise matrix); ``columns`` are the Pyomo variables (parent only)."""

    sense: int  # 1 minimise, -1 maximise (HiGHS' ObjSense)
    offset: float
    cost: "np.ndarray"
    col_lower: "np.ndarray"
    col_upper: "np.ndarray"
    integrality: "np.ndarray"  # uint8, 1 = integer
    a_start: "np.ndarray"
    a_index: "np.ndarray"
    a_value: "np.ndarray"
    row_lower: "np.ndarray"
    row_upper: "np.ndarray"
    columns: list = field(default_factory=list)

    @property
    def n_col(self) -> int:
        return len(self.cost)

    def arrays(self) -> dict:
        """Everything but the Pyomo variables: what the child process receives."""
        return {k: getattr(self, k) for k in ("sense", "offset", "cost", "col_lower", "col_upper", "integrality",
                                              "a_start", "a_index", "a_value", "row_lower", "row_upper")}

    def box_bound(self) -> float:
        """A bound no solution can beat: each column at its best bound (valid, weak; inf if a column is free)."""
        import numpy as np

        c = self.cost * (-self.sense)  # maximisation sense
        nz = c != 0
        best = np.where(c[nz] > 0, self.col_upper[nz], self.col_lower[nz]) * c[nz]
        val = float(np.sum(best)) if len(best) else 0.0
        return self.offset + (val if self.sense == -1 else -val)


class TriviallyInfeasible(Exception):
    """A constraint with no variables left cannot hold (e.g. a must-move service with no placement)."""


def compile_model(model) -> MatrixModel:
    """The active objective and constraints of a Pyomo model as HiGHS arrays (Pyomo's public
    standard-form compiler; ranged rows become two rows; variables that appear nowhere are left out)."""
    import numpy as np
    from pyomo.common.errors import InfeasibleConstraintException
    from pyomo.core.base.objective import minimize
    from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

    try:
        r = LinearStandardFormCompiler().write(model, mixed_form=True, set_sense=None)
    except InfeasibleConstraintException as exc:
        raise TriviallyInfeasible(str(exc)) from None
    n = len(r.columns)
    A = r.A.tocsc() if n else None
    kind = np.array([b for _, b in r.rows], dtype=int)
    rhs = np.asarray(r.rhs, dtype=float)
    lo = np.where(kind <= 0, rhs, -np.inf)
    hi = np.where(kind >= 0, rhs, np.inf)
    cost = np.asarray(r.c.toarray()[0], dtype=float) if n and r.c.shape[0] else np.zeros(n)
    sense = 1 if not r.objectives or r.objectives[0].sense == minimize else -1
    cl = np.array([-np.inf if v.lb is None else float(v.lb) for v in r.columns], dtype=float)
    cu = np.array([np.inf if v.ub is None else float(v.ub) for v in r.columns], dtype=float)
    integ = np.array([1 if v.is_integer() else 0 for v in r.columns], dtype=np.uint8)
    offset = float(r.c_offset[0]) if len(r.c_offset) else 0.0
    if A is None:
        a_start, a_index, a_value = np.zeros(1, np.int32), np.zeros(0, np.int32), np.zeros(0)
    else:
        a_start, a_index, a_value = A.indptr.astype(np.int32), A.indices.astype(np.int32), A.data.astype(float)
    return MatrixModel(sense, offset, cost, cl, cu, integ, a_start, a_index, a_value, lo, hi, list(r.columns))
