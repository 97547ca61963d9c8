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
    "candour:notified": "Duty of candour: the notification in person recorded",
    "candour:written": "Duty of candour: the written notification recorded",
    "candour:record_kept": "Duty of candour: the secure written record recorded",
    "candour:support_offered": "Duty of candour: the support offered recorded",
    "candour:results_shared": "Duty of candour: sharing the results of enquiries recorded",
    "candour:attempt": "Duty of candour contact attempt recorded",
    "engagement:invited": "Invitation to the family portal sent",
    "engagement:invitation_withdrawn": "Invitation to the family portal withdrawn",
    "engagement:document_shared": "Report shared through the family portal",
    "family:joined": "Joined the family portal",
    "family:linked": "Joined the family portal with an existing account",
    "family:question": "Question asked through the family portal",
    "family:comment": "Comments on the draft sent through the family portal",
    "family:preferences": "Preferences changed through the family portal",
    "engagement:in_report": "Their choice about quoting their words in the report recorded",
    "family:in_report": "Choice about quoting their words in the report made through the family portal",
}

# What the timeline may say about a change: labels only, never the values (see the module note).
PERSON_LABELS = {
    "kind": "Kind",
    "name": "Name",
    "relationship_to_patient": "Relationship to the patient",
    "contact_by": "How to contact",
    "contact_when": "When to contact",
    "language": "Language",
    "interpreter_needed": "Interpreter",
    "accessibility_needs": "Accessibility needs",
    "involvement": "How involved",
    "engagement_lead_id": "Engagement lead",
    "supporter": "Supporter",
    "wellbeing_signposted": "Wellbeing signposting",
    "support_notes": "Support notes",
}

CANDOUR_STEP_FIELDS = {
    "notified_on": "Notified in person or by phone",
    "notified_means": "Means of notification",
    "notified_by": "Notified by",
    "apology_given": "Apology given",
    "unreachable": "Could not be reached or declined",
    "unreachable_on": "Date they could not be reached or declined",
    "written_on": "Written notification",
    "record_reference": "Secure written record",
    "record_kept_by": "Secure record confirmed by",
    "record_kept_on": "Secure record confirmed as kept",
    "support_offered": "Support offered",
    "support_offered_on": "Date support was offered",
    "results_shared_on": "Results of enquiries shared",
}

# The response timeline's words for the fields engagement audits, keyed by field name. `{of}` is
# the change's qualifier: the kind of person, or the kind of document.
FIELD_LABELS = {
    "person": "Person affected",
    **{name: f"{{of}}: {label}" for name, label in PERSON_LABELS.items()},
    "answer": "Answer to a question",
    "candour": "Duty of candour",
    **CANDOUR_STEP_FIELDS,
    "invitation": "Invitation to the family portal",
    "question": "Question from a {of}",
    "comment": "Comments on the draft from a {of}",
    "document": "{of} shared",
    "in_report": "In the report ({of})",
}
