"""The Five Case Model sections (HM Treasury business case guidance): strategic, economic, commercial, financial and
management cases, each built only from the results present, one module per case (appendix: the document's figures
and the optimiser's results; common: what they share). A part with no data says so in one line. All user text is
escaped with ``esc``; tables carry human names, never internal ids.
"""
from __future__ import annotations

from appraisal.report.cases.common import missing, caveat, _rag_class, _for_option, _scoring_note
from appraisal.report.cases.strategic import strategic
from appraisal.report.cases.economic import vfm_band, economic, _vfm_judgement, _scoring, _sensitivity, _risks
from appraisal.report.cases.commercial import commercial, _estate
from appraisal.report.cases.financial import financial, _positions
from appraisal.report.cases.management import management, _milestones, _power_table, _cheapest_route
from appraisal.report.cases.appendix import targets_table, optimiser_table
