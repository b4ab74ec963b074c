"""Reports for the data protection office (R22, R23): case dossiers, deployment records, the annual report.

Reads only (selectors); what recognition measured reaches them through oversight.registry (case usage providers
and dossier sections), so the arrows keep pointing down. Producing a report as a file is a disclosure recorded by
oversight.services.reports.
"""
