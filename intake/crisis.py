"""Crisis lines for the six countries Duet serves first.

A small table kept by hand on purpose: these are phone numbers a person in danger
will dial, so each line names the page it was checked against (``source``) and the
table carries the date it was last checked. Emergency numbers come first.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# Crisis lines are what a person in danger reads: each description is one whole phrase.
# Numbers, keywords to text (START) and the services' own names are never translated.
EMERGENCY = pgettext_lazy("kind of phone line", "Emergency")

CHECKED_ON = "2026-12-02"


@dataclass(frozen=True)
class CrisisLine:
    name: str  # a service's own name stays as it is; generic ones are translated
    number: str
    what: str
    source: str

    @property
    def tel(self) -> str:
        return "".join(ch for ch in self.number if ch.isdigit() or ch == "+")


CRISIS_LINES: dict[str, tuple[CrisisLine, ...]] = {
    "US": (
        CrisisLine(
            _("Emergency services"), "911", _("Police, fire, ambulance"), "https://www.911.gov/"
        ),
        CrisisLine(
            "988 Suicide & Crisis Lifeline",
            "988",
            _("Call or text, 24/7"),
            "https://988lifeline.org/",
        ),
        CrisisLine(
            "National Domestic Violence Hotline",
            "1-800-799-7233",
            # Translators: START is the keyword to text; keep it and the number as they are.
            _("24/7, or text START to 88788"),
            "https://www.thehotline.org/",
        ),
    ),
    "GB": (
        CrisisLine(
            _("Emergency services"), "999", _("Police, fire, ambulance"), "https://www.gov.uk/"
        ),
        CrisisLine("Samaritans", "116 123", _("Free, 24/7"), "https://www.samaritans.org/"),
        CrisisLine(
            "National Domestic Abuse Helpline",
            "0808 2000 247",
            _("Free, 24/7 (Refuge)"),
            "https://www.nationaldahelpline.org.uk/",
        ),
    ),
    "JP": (
        CrisisLine(
            _("Police / Ambulance"), "110 / 119", EMERGENCY, "https://www.npa.go.jp/english/"
        ),
        CrisisLine(
            "TELL Lifeline (English)",
            "03-5774-0992",
            _("Counselling in English"),
            "https://telljp.com/lifeline/",
        ),
        CrisisLine(
            "Yorisoi Hotline (よりそいホットライン)",
            "0120-279-338",
            _("Free, 24/7, several languages"),
            "https://www.since2011.net/yorisoi/",
        ),
    ),
    "PL": (
        CrisisLine("Numer alarmowy", "112", EMERGENCY, "https://112.gov.pl/"),
        CrisisLine(
            "Telefon zaufania dla dorosłych w kryzysie",
            "116 123",
            _("Free, 24/7 (Niebieska Linia IPZ)"),
            "https://116sos.pl/",
        ),
        CrisisLine(
            "Niebieska Linia – przemoc domowa",
            "800 120 002",
            _("Domestic violence helpline"),
            "https://www.niebieskalinia.pl/",
        ),
    ),
    "IN": (
        CrisisLine("Emergency Response Support System", "112", EMERGENCY, "https://112.gov.in/"),
        CrisisLine(
            "Tele MANAS",
            "14416",
            _("Free, 24/7, 20 languages (also 1-800-891-4416)"),
            "https://telemanas.mohfw.gov.in/",
        ),
        CrisisLine(
            "Women Helpline",
            "181",
            _("Women facing violence, 24/7"),
            "https://wcd.gov.in/",
        ),
    ),
    "BR": (
        CrisisLine("SAMU / Polícia", "192 / 190", EMERGENCY, "https://www.gov.br/saude/"),
        CrisisLine(
            "CVV – Centro de Valorização da Vida",
            "188",
            _("Free, 24/7, or chat at cvv.org.br"),
            "https://cvv.org.br/",
        ),
        CrisisLine(
            "Central de Atendimento à Mulher",
            "180",
            _("Violence against women, 24/7"),
            "https://www.gov.br/mulheres/",
        ),
    ),
}


def crisis_lines(country: str) -> tuple[CrisisLine, ...]:
    """The table for one ISO country code; empty where Duet has no checked list."""
    return CRISIS_LINES.get((country or "").upper(), ())
