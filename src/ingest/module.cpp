// Placeholder so the ingest module links while it is being written.
