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
    "engagement:invited": "Invitation to the family portal sent",
    "engagement:invitation_withdrawn": "Invitation to the family portal withdrawn",
    "engagement:document_shared": "Report shared through the family portal",
    "family:joined": "Joined the family portal",
    "family:linked": "Joined the family portal with an existing account",
    "family:question": "Question asked through the family portal",
    "family:comment": "Comments on the draft sent through the family portal",
    "family:preferences": "Preferences changed through the family portal",
}
