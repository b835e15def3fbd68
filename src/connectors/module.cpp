// Placeholder so the connectors module links while it is being written.
