"""Reports: what reads the DQ tables after the batches are written.

The DQ history and trends (dq_history, dq_trends), the newest run in detail (newest_run), the CLI's report
rows (dq_report, findings), the DQ dashboard (dashboard, dashboard_charts, dashboard_site) and the GX Data
Docs site (data_docs). The DQ tables are read through the warehouse's DuckDB views (tasks.warehouse.views),
never by path. Nothing here runs inside a batch; what checks a batch is tasks.quality.
"""
