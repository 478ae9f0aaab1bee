"""Applications for calls and the funded projects they become: pipeline, partnerships, financing, expenses, reporting."""
