"""The money model: the ledger of benefit and cost lines (`ledger`), adjustments, Green Book discounting
and the headline metrics (`metrics`: NPV, NPSV, BCR, payback, funding need, who pays and who benefits)."""
