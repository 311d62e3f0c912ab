// Translations for page scripts. Django's JavaScriptCatalog (/jsi18n/, loaded by
// base.html before any module) defines gettext and friends on window; each language's
// strings live in locale/<lang>/LC_MESSAGES/djangojs.po.
const g = window;

export function _(text) {
  return g.gettext ? g.gettext(text) : text;
}

export function ngettext(singular, plural, count) {
  if (g.ngettext) return g.ngettext(singular, plural, count);
  return count === 1 ? singular : plural;
}

// "%(name)s joined" with {name: "Sam"}: named placeholders, so translators can reorder.
export function format(text, values) {
  return text.replace(/%\((\w+)\)s/g, (_m, key) => (key in values ? String(values[key]) : ""));
}

// The page's language for Intl (dates and numbers written the reader's way).
export function locale() {
  return document.documentElement.lang || "en";
}
