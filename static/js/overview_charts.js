// Clinic overview charts drawn by Chart.js (vendored in static/vendor/chart.js, loaded as
// a classic script before this module). Each <figure data-chart> carries its numbers as
// JSON; the table beside it stays for screen readers and for anyone who wants figures.
import { _, format, locale as pageLocale } from "./i18n.js";

const Chart = window.Chart;
const css = getComputedStyle(document.documentElement);
const color = (name) => css.getPropertyValue(name).trim();
const locale = pageLocale() || navigator.language;

function weekLabel(iso, zone) {
  return new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", timeZone: zone }).format(
    new Date(iso),
  );
}

function formatValue(value, unit) {
  if (value === null || value === undefined) return _("no data");
  if (unit === "percent") {
    // The language's own percent sign and spacing ("12.5%", "12,5 %").
    return new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 }).format(value / 100);
  }
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(value);
}

function draw(figure) {
  const spec = JSON.parse(figure.querySelector("script[type='application/json']").textContent);
  const canvas = figure.querySelector("canvas");
  const labels = spec.weeks.map((iso) => weekLabel(iso, spec.zone));
  const line = spec.kind === "line";
  const brand = color("--brand");
  const warm = color("--warm-ink") || "#b25a36";
  Chart.defaults.font.family = css.getPropertyValue("--font");
  Chart.defaults.color = color("--ink-2");
  new Chart(canvas, {
    type: line ? "line" : "bar",
    data: {
      labels,
      datasets: [
        {
          label: spec.title,
          data: spec.values,
          backgroundColor: line ? warm : brand,
          borderColor: line ? warm : brand,
          borderWidth: line ? 2.5 : 0,
          borderRadius: 4,
          pointRadius: 3.5,
          pointHoverRadius: 6,
          spanGaps: false,
          maxBarThickness: 28,
        },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: window.matchMedia("(prefers-reduced-motion: reduce)").matches ? false : { duration: 300 },
      interaction: { mode: "index", intersect: false },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            title: (items) => format(_("Week of %(week)s"), { week: items[0].label }),
            label: (item) => format(_("%(title)s: %(value)s"), { title: spec.title, value: formatValue(item.raw, spec.unit) }),
          },
        },
      },
      scales: {
        x: {
          grid: { display: false },
          ticks: { autoSkip: true, maxRotation: 0, autoSkipPadding: 12, font: { size: 12 } },
        },
        y: {
          beginAtZero: true,
          suggestedMax: spec.max ?? undefined,
          max: spec.unit === "percent" || spec.unit === "rating" ? spec.max : undefined,
          grid: { color: color("--line") },
          ticks: {
            precision: spec.unit === "count" ? 0 : undefined,
            stepSize: spec.unit === "rating" ? 1 : undefined,
            maxTicksLimit: 5,
            font: { size: 12 },
            callback: (value) => formatValue(value, spec.unit),
          },
        },
      },
    },
  });
  figure.dataset.drawn = "true";
}

if (Chart) for (const figure of document.querySelectorAll("figure[data-chart]")) draw(figure);
