"""Bring the gettext catalogues in step with the code, then compile them (Babel, no gettext tools).

    python scripts/compile_catalogues.py          # add new strings to the .po files, compile .mo
    python scripts/compile_catalogues.py --prune  # also drop strings no longer in the code

New strings are added untranslated: translate them in
src/nephrocohort/locale/<locale>/LC_MESSAGES/django.po and run this again (tests/i18n fails
until every entry has its translation).
"""

import argparse

from nephrocohort.i18n_catalogues import update_catalogues


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prune", action="store_true", help="drop entries not in the code")
    arguments = parser.parse_args()
    for locale, untranslated in update_catalogues(prune=arguments.prune).items():
        print(f"{locale}: {len(untranslated)} untranslated")
        for message in untranslated:
            print(f"  {message!r}")


if __name__ == "__main__":
    main()
