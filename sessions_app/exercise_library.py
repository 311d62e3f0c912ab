"""Duet's built-in exercise library, written in our own words.

Loaded by a data migration and by ``seed_demo``; ``library_install`` is idempotent.
The database keeps the English text; ``library_text`` shows a built-in exercise's title,
summary or instructions in the reader's language (a therapist's own text as written).
"""

from __future__ import annotations

from functools import cache

from django.utils.translation import gettext, gettext_noop

BUILT_IN_EXERCISES: list[dict] = [
    {
        "slug": "appreciation-log",
        "title": gettext_noop("Appreciation log"),
        "summary": gettext_noop(
            "Notice and write down one thing your partner did that you valued, every day."
        ),
        "suggested_days": 7,
        "suggested_audience": "both",
        "instructions": gettext_noop(
            "Once a day, write down one specific thing your partner did or said that you "
            "appreciated, however small: a cup of coffee, a kind word, a chore done without "
            "asking. Be concrete (what, when, how it made you feel). At the end of the week, "
            "read a few of them out to each other. The point is to train your eye to catch "
            "the good moments that usually slip by."
        ),
    },
    {
        "slug": "stress-reducing-conversation",
        "title": gettext_noop("Stress-reducing conversation"),
        "summary": gettext_noop(
            "A daily 20-minute talk about stress from outside the relationship."
        ),
        "suggested_days": 7,
        "suggested_audience": "joint",
        "instructions": gettext_noop(
            "Set aside about twenty minutes a day to talk about what is stressing each of you "
            "outside the relationship: work, family, health, money. Take turns: one talks for "
            "ten minutes, the other listens, then swap. As the listener, take your partner's "
            "side, show you understand, and hold back advice unless it is asked for. Avoid "
            "topics that are a conflict between the two of you; this talk is for support."
        ),
    },
    {
        "slug": "state-of-the-relationship",
        "title": gettext_noop("Weekly state-of-the-relationship check-in"),
        "summary": gettext_noop(
            "One hour a week to look back, appreciate, and raise one issue calmly."
        ),
        "suggested_days": 7,
        "suggested_audience": "joint",
        "instructions": gettext_noop(
            "Once a week, at a calm time, sit down together for up to an hour. Start with what "
            "went well this week and say a few appreciations. Then each of you may raise one "
            "thing that bothered you, described as your own feeling and need rather than a "
            "complaint about the other. Listen until the speaker feels understood before "
            "problem-solving. Finish by agreeing on one small thing to try next week."
        ),
    },
    {
        "slug": "active-listening",
        "title": gettext_noop("Active-listening practice"),
        "summary": gettext_noop(
            "Speaker and listener roles: reflect back until the speaker feels heard."
        ),
        "suggested_days": 7,
        "suggested_audience": "joint",
        "instructions": gettext_noop(
            "Pick a low-stakes topic. One of you is the speaker and talks in short pieces; the "
            "other is the listener and repeats back, in their own words, what they heard, then "
            "asks 'did I get that right?'. The speaker corrects or adds until they feel fully "
            "understood. The listener does not argue, defend or suggest fixes. Swap roles "
            "after ten minutes. Afterwards, note what was easy and what was hard."
        ),
    },
    {
        "slug": "time-out-plan",
        "title": gettext_noop("Time-out plan"),
        "summary": gettext_noop(
            "Agree in advance how either of you can pause a heated argument, and return."
        ),
        "suggested_days": 7,
        "suggested_audience": "both",
        "instructions": gettext_noop(
            "When you are both calm, agree on a signal either of you can use when an argument "
            "gets too heated, and a minimum break (at least twenty minutes). During the break, "
            "do something soothing on your own rather than rehearsing the argument. Agree who "
            "will restart the conversation and when. Write down your plan here: your signal, "
            "what you will do during the break, and how you will come back to the topic."
        ),
    },
]


@cache
def _library_strings() -> frozenset[str]:
    return frozenset(
        item[key] for item in BUILT_IN_EXERCISES for key in ("title", "summary", "instructions")
    )


def library_text(text: str) -> str:
    """``text`` in the active language when it is the built-in library's own English
    text (stored unchanged in the database); anything else as written."""
    if text and text in _library_strings():
        return gettext(text)
    return text


def library_install(template_model) -> int:
    """Create or refresh the built-in templates; returns how many were created."""
    created = 0
    for item in BUILT_IN_EXERCISES:
        fields = {k: v for k, v in item.items() if k != "slug"}
        obj = template_model.objects.filter(clinic__isnull=True, slug=item["slug"]).first()
        if obj is None:
            template_model.objects.create(clinic=None, slug=item["slug"], **fields)
            created += 1
        else:
            for name, value in fields.items():
                setattr(obj, name, value)
            obj.save()
    return created
