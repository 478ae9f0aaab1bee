"""What may be known of a procedure's bidders and invitees before the deadline for offers.

Art. 35 D.Lgs. 36/2023 defers access:
- c.2 lett. a): in open procedures, to the list of those who submitted offers, until the deadline for offers;
- c.2 lett. b): in restricted and negotiated procedures (and informal tenders), to the list of those who asked
  to be invited or showed interest, of those invited to bid, and of those who submitted offers, until the
  deadline for offers;
- c.3: until then those acts, data and information "non possono essere resi accessibili o conoscibili in
  alcun modo".

A count of the offers received tells how many competitors there are as much as the list does, so it is kept
with the names. The SUA running the procedure records the bids and the invitations and sees them; everybody
else (the buyer Comune, the operators, the public) sees them once the deadline has passed. A procedure with no
deadline yet has not reached it.

Pure: plain values in, plain values out.
"""

from datetime import datetime


def disclosed(now: datetime, bid_deadline: datetime | None) -> bool:
    """Whether the names of invitees and bidders, and the number of bids, may be shown to anybody but the SUA
    (art. 35 c.2 lett. a-b, c.3): only once the deadline for offers has passed."""
    return bid_deadline is not None and now >= bid_deadline
