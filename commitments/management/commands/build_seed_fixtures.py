"""Build the neutral JSON seed fixtures from the real seed documents.

    python manage.py build_seed_fixtures [--seeds DIR] [--out DIR]

Reads ``<BASE_DIR>/fixtures/seeds`` (copies of the shared seed documents) by default and writes into ``<BASE_DIR>/fixtures``:

* ``kg_nap_2018_2020.json`` – seed ``001_*.txt`` (Kyrgyz NAP 2018–2020), with the
  letter of intent of seed ``004_*.txt`` attached to the member,
* ``bishkek_2025.json``     – seed ``003_*.txt`` (OGP Local plan of Bishkek),
* ``kg_ogp_letters.json``   – seed ``000_*.txt`` (OGP letters of 2022 and 2023).

The plan fixtures also get ``"names"``: the official Russian and Kyrgyz names of their member,
agencies and forum (``commitments.official_names``), which the seed documents (in English) lack.

Seed ``002_*.txt`` (a news item on the accession) is not needed: seed 001 states the
accession date itself.  All parsing lives in ``commitments.seed_parser``; this
command only finds the files and writes the output.  The output is deterministic:
running the command twice gives byte-identical files.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from commitments.official_names import names_used
from commitments.seed_parser import (
    parse_letter_of_intent,
    parse_letters,
    parse_local_plan,
    parse_national_plan,
    render_json,
)

NATIONAL_FILE = "kg_nap_2018_2020.json"
LOCAL_FILE = "bishkek_2025.json"
LETTERS_FILE = "kg_ogp_letters.json"

# Seed files by name prefix, with a phrase their content must contain.
SEEDS = {
    "letters": ("000", "Open Government Partnership"),
    "national": ("001", "Commitment Start and End"),
    "local": ("003", "Action plan – "),
    "letter_of_intent": ("004", "intention to join"),
}


def base_dir():
    """The project root: settings.BASE_DIR, or the folder above the app without settings."""
    try:
        from django.conf import settings

        return Path(settings.BASE_DIR)
    except Exception:  # settings not configured (e.g. plain pytest without pytest-django)
        return Path(__file__).resolve().parents[3]


def default_seeds_dir():
    return base_dir() / "fixtures" / "seeds"


def default_out_dir():
    return base_dir() / "fixtures"


def find_seed(seeds_dir, key, required=True):
    """Return (path, text) of the seed with the given role, checked by name prefix and content."""
    prefix, phrase = SEEDS[key]
    paths = sorted(Path(seeds_dir).glob(f"{prefix}_*.txt"))
    if not paths:
        if required:
            raise CommandError(f"no {prefix}_*.txt seed in {seeds_dir}")
        return None, None
    if len(paths) > 1:
        raise CommandError(f"several {prefix}_*.txt seeds in {seeds_dir}: {[p.name for p in paths]}")
    text = paths[0].read_text(encoding="utf-8")
    if phrase not in text:
        raise CommandError(f"{paths[0].name} does not look like the {key} seed (no {phrase!r})")
    return paths[0], text


def build_fixtures(seeds_dir):
    """Parse the seeds; return {fixture file name: JSON text}."""
    national_path, national_text = find_seed(seeds_dir, "national")
    _intent_path, intent_text = find_seed(seeds_dir, "letter_of_intent", required=False)
    local_path, local_text = find_seed(seeds_dir, "local")
    letters_path, letters_text = find_seed(seeds_dir, "letters")
    intent = parse_letter_of_intent(intent_text) if intent_text else None
    national = parse_national_plan(national_text, source=national_path.name, letter_of_intent=intent)
    local = parse_local_plan(local_text, source=local_path.name)
    return {
        NATIONAL_FILE: render_json(with_names(national)),
        LOCAL_FILE: render_json(with_names(local)),
        LETTERS_FILE: render_json(parse_letters(letters_text, source=letters_path.name)),
    }


def with_names(data):
    """Return the parsed plan with the official ru/ky names of the names it uses (``"names"``, last)."""
    return {**data, "names": names_used(data)}


def write_fixtures(seeds_dir, out_dir):
    """Write the fixtures into out_dir; return the written paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in build_fixtures(seeds_dir).items():
        path = out_dir / name
        path.write_bytes(content.encode("utf-8"))
        written.append(path)
    return written


class Command(BaseCommand):
    help = "Parse the seed documents (shared/seeds) into the JSON fixtures kg_nap_2018_2020, bishkek_2025, kg_ogp_letters."

    def add_arguments(self, parser):
        parser.add_argument("--seeds", default=None, help="Folder of the seed .txt files (default: <BASE_DIR>/../shared/seeds).")
        parser.add_argument("--out", default=None, help="Output folder (default: <BASE_DIR>/fixtures).")

    def handle(self, *args, seeds=None, out=None, **options):
        seeds_dir = Path(seeds) if seeds else default_seeds_dir()
        out_dir = Path(out) if out else default_out_dir()
        if not seeds_dir.is_dir():
            raise CommandError(f"seed folder not found: {seeds_dir}")
        for path in write_fixtures(seeds_dir, out_dir):
            self.stdout.write(f"wrote {path}")
