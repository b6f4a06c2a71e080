"""The only modules of `appraisal` that import the engines: `to_optimise` (study → optimise.PlacementProblem,
and the optimiser's public names) and `to_agents` (the agent model's public names)."""
