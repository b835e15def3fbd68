// Placeholder so the nlp module links while it is being written.
