"""newsetl's units of work: plain functions over batches, no Prefect imports."""
