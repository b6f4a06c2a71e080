"""What each `reformkit` command does, as functions: appraise, optimise, buyin, score, sensitivity and run,
plus the results they write (outputs, provenance) and the document-figure check (targets)."""
