"""Reports: what reads the DQ tables after the batches are written.

The DQ history and trends (dq_history, dq_trends), the CLI's report rows (dq_report, findings), the DQ
dashboard (dashboard, dashboard_site) and the GX Data Docs site (data_docs). Nothing here runs inside a
batch; what checks a batch is tasks.quality.
"""
