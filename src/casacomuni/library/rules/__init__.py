"""Pure rules of the model library: what changed between two versions of a model."""
