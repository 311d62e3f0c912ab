"""Duet's built-in exercise library, written in our own words.

Loaded by a data migration and by ``seed_demo``; ``library_install`` is idempotent.
"""

from __future__ import annotations

BUILT_IN_EXERCISES: list[dict] = [
    {
        "slug": "appreciation-log",
        "title": "Appreciation log",
        "summary": "Notice and write down one thing your partner did that you valued, every day.",
        "suggested_days": 7,
        "suggested_audience": "both",
        "instructions": (
            "Once a day, write down one specific thing your partner did or said that you "
            "appreciated, however small: a cup of coffee, a kind word, a chore done without "
            "asking. Be concrete (what, when, how it made you feel). At the end of the week, "
            "read a few of them out to each other. The point is to train your eye to catch "
            "the good moments that usually slip by."
        ),
    },
    {
        "slug": "stress-reducing-conversation",
        "title": "Stress-reducing conversation",
        "summary": "A daily 20-minute talk about stress from outside the relationship.",
        "suggested_days": 7,
        "suggested_audience": "joint",
        "instructions": (
            "Set aside about twenty minutes a day to talk about what is stressing each of you "
            "outside the relationship: work, family, health, money. Take turns: one talks for "
            "ten minutes, the other listens, then swap. As the listener, take your partner's "
            "side, show you understand, and hold back advice unless it is asked for. Avoid "
            "topics that are a conflict between the two of you; this talk is for support."
        ),
    },
    {
        "slug": "state-of-the-relationship",
        "title": "Weekly state-of-the-relationship check-in",
        "summary": "One hour a week to look back, appreciate, and raise one issue calmly.",
        "suggested_days": 7,
        "suggested_audience": "joint",
        "instructions": (
            "Once a week, at a calm time, sit down together for up to an hour. Start with what "
            "went well this week and say a few appreciations. Then each of you may raise one "
            "thing that bothered you, described as your own feeling and need rather than a "
            "complaint about the other. Listen until the speaker feels understood before "
            "problem-solving. Finish by agreeing on one small thing to try next week."
        ),
    },
    {
        "slug": "active-listening",
        "title": "Active-listening practice",
        "summary": "Speaker and listener roles: reflect back until the speaker feels heard.",
        "suggested_days": 7,
        "suggested_audience": "joint",
        "instructions": (
            "Pick a low-stakes topic. One of you is the speaker and talks in short pieces; the "
            "other is the listener and repeats back, in their own words, what they heard, then "
            "asks 'did I get that right?'. The speaker corrects or adds until they feel fully "
            "understood. The listener does not argue, defend or suggest fixes. Swap roles "
            "after ten minutes. Afterwards, note what was easy and what was hard."
        ),
    },
    {
        "slug": "time-out-plan",
        "title": "Time-out plan",
        "summary": "Agree in advance how either of you can pause a heated argument, and return.",
        "suggested_days": 7,
        "suggested_audience": "both",
        "instructions": (
            "When you are both calm, agree on a signal either of you can use when an argument "
            "gets too heated, and a minimum break (at least twenty minutes). During the break, "
            "do something soothing on your own rather than rehearsing the argument. Agree who "
            "will restart the conversation and when. Write down your plan here: your signal, "
            "what you will do during the break, and how you will come back to the topic."
        ),
    },
]


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
