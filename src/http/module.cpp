// Placeholder so the http module links while it is being written.
