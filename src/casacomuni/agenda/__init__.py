"""One calendar: every dated thing a user may act on, from every pillar, as a page and as a personal iCal feed."""
