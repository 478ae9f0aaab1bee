"""The Provinces' experiences and good practices: described by each Province, reviewed and published by UPI,
searched by anyone, replicated by other Provinces."""
