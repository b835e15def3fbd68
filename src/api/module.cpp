// Placeholder so the api module links while it is being written.
