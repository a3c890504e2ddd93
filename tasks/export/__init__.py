"""Exports of the warehouse into formats other tools read: tasks.export.gkg (GDELT GKG 2.1)."""
