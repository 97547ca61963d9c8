"""Timeline labels for the engagement and candour audit actions (merged into the response timeline's).

Kept free of imports so psirf.responses.services can read it without a cycle.
"""

ACTION_LABELS = {
    "engagement:person_added": "Person affected added to the engagement plan",
    "engagement:person_updated": "Engagement preferences or support updated",
    "engagement:step": "Engagement step recorded",
    "engagement:attempt": "Attempt to make contact recorded",
    "engagement:answer": "Answer to a question recorded",
    "candour:decided": "Duty of candour test recorded",
    "candour:steps": "Duty of candour steps recorded",
    "candour:attempt": "Duty of candour contact attempt recorded",
}
