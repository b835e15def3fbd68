// Placeholder so the bus module links while it is being written.
