// Placeholder so the insights module links while it is being written.
