"""Online bids: sealed envelopes, the deadline to the second, receipts, and the commission's openings."""
