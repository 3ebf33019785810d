"""The languages CCCP speaks. The catalogues live in `locales/<lang>/LC_MESSAGES`."""

LANGUAGES = ("en", "de", "fr")
LANGUAGE_NAMES = {"en": "English", "de": "Deutsch", "fr": "Français"}
