// Placeholder so the roles module links while it is being written.
