"""The documented list of stored data: every column of every table belongs to one kind of data
that /privacy names (``privacy.items.<kind>`` in bot/locales), or is listed as technical.

tests/unit/test_privacy_texts.py compares this list with the models: a new column without a
line here (and so without a sentence in the texts) fails.
"""

from __future__ import annotations

KINDS: dict[str, tuple[str, ...]] = {
    "identity": ("users.id", "users.channel", "users.external_id", "users.chat_id"),
    "first_name": ("users.first_name",),
    "language": ("users.language", "users.client_language", "users.kept_languages"),
    "activity": (
        "users.created_at", "users.updated_at", "users.last_seen_at", "users.unanswered_streak",
        "users.handoff_consent_at",
    ),
    "recent_questions": ("users.recent_questions",),
    "unanswered": (
        "unanswered_questions.id", "unanswered_questions.user_id", "unanswered_questions.text",
        "unanswered_questions.language", "unanswered_questions.status",
        "unanswered_questions.score", "unanswered_questions.candidates",
        "unanswered_questions.created_at", "unanswered_questions.resolved_entry_id",
        "unanswered_questions.resolved_at",
    ),
    "feedback": (
        "feedback.id", "feedback.user_id", "feedback.entry_id", "feedback.language",
        "feedback.helpful", "feedback.answer_key", "feedback.created_at",
    ),
    "requests": (
        "consultation_requests.id", "consultation_requests.reference",
        "consultation_requests.user_id", "consultation_requests.kind",
        "consultation_requests.requester", "consultation_requests.organisation",
        "consultation_requests.contact_name", "consultation_requests.contact_channel",
        "consultation_requests.contact_value", "consultation_requests.description",
        "consultation_requests.language", "consultation_requests.precheck",
        "consultation_requests.slot_start", "consultation_requests.status",
        "consultation_requests.consent_at", "consultation_requests.idempotency_key",
        "consultation_requests.created_at", "consultation_requests.updated_at",
        "consultation_requests.decided_by", "consultation_requests.decided_at",
        "consultation_requests.revision", "consultation_requests.card_message_id",
        "consultation_requests.cancelled_slot_start", "consultation_requests.cancelled_at",
        "slot_bookings.id", "slot_bookings.slot_start", "slot_bookings.seat",
        "slot_bookings.request_id",
    ),
    "form": (
        "form_states.user_id", "form_states.flow", "form_states.step", "form_states.data",
        "form_states.token", "form_states.updated_at",
    ),
    "tickets": (
        "tickets.id", "tickets.user_id", "tickets.status", "tickets.language", "tickets.subject",
        "tickets.thread_id", "tickets.claimed_by", "tickets.rating", "tickets.created_at",
        "tickets.waiting_since", "tickets.closed_at", "tickets.closed_by",
        "tickets.first_reply_at", "tickets.header_message_id",
        "ticket_messages.id", "ticket_messages.ticket_id", "ticket_messages.author",
        "ticket_messages.text", "ticket_messages.staff_name", "ticket_messages.created_at",
        "ticket_links.id", "ticket_links.chat_id", "ticket_links.message_id",
        "ticket_links.ticket_id",
    ),
    "messages_in_transit": (
        "inbox.id", "inbox.channel", "inbox.update_id", "inbox.payload", "inbox.received_at",
        "inbox.processed_at", "inbox.attempts", "inbox.error", "inbox.dead_at",
        "outbox.id", "outbox.key", "outbox.chat_id", "outbox.payload", "outbox.attempts",
        "outbox.next_attempt_at", "outbox.sent_at", "outbox.last_error", "outbox.created_at",
        "outbox.ticket_id", "outbox.parts_sent", "outbox.failed_at",
        "held_messages.id", "held_messages.token", "held_messages.user_id", "held_messages.route",
        "held_messages.text", "held_messages.chat_id", "held_messages.message_id",
        "held_messages.created_at",
    ),
}  # fmt: skip

# Tables that hold nothing about a person, with the reason.
TECHNICAL: dict[str, str] = {
    "reference_counters": "the last request number given out per year",
}


def documented_columns() -> set[str]:
    return {column for columns in KINDS.values() for column in columns}
