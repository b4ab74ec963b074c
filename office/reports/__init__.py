"""Reports for the data protection office (R22, R23): case dossiers, deployment records, the annual report.

Reads only: oversight's and recognition's selectors and models, imported directly (the office sits on top of the
layers). Producing a report as a file is a disclosure recorded by office.services.reports.
"""
