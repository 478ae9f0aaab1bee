"""Applications for calls: the pipeline from a Comune's interest (or the office's proposal) to the outcome,
with partners, tasks and documents."""
