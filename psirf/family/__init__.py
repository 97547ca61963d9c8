"""The family portal: what a patient or family member sees of what was shared with them, what they
may do there, and joining it with an invitation. Engagement (the staff side) records and shares;
this package reads it, and psirf.engagement never imports it."""
