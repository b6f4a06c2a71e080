"""Studies: the schema (pydantic), the loader (CSV or Excel) and cross-reference validation."""
from appraisal.study.errors import Problem, StudyError
from appraisal.study.load import Study, load_study

__all__ = ["Problem", "Study", "StudyError", "load_study"]
