// Placeholder so the store module links while it is being written.
