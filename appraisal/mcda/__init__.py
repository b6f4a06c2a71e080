"""Multi-criteria analysis: the linear additive engine (`engine`) and its robustness checks (`robustness`)."""
