"""The help desk (sportello): the Comuni's requests for help to their Province's offices, with service levels
in working hours, answers, ratings and the FAQ built from resolved requests."""
