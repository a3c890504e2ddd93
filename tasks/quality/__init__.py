"""Quality: what checks a batch while it runs.

The GX suites of expectations/ (suites), validation with per-row quarantine (validate, failing), the
batch's coverage measures (coverage) and their drift against recent runs (drift, metrics). What reads
the DQ tables afterwards, for people, is tasks.reports.
"""
