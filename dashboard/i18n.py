"""Every user-facing word in Danish (the default) and English, and numbers formatted by Babel.

One table, so a missing translation is a KeyError in the tests rather than a silently English
label in the Danish interface.
"""

from __future__ import annotations

import datetime as dt
import math

from babel.dates import format_date
from babel.numbers import (format_compact_currency, format_compact_decimal, format_currency,
                           format_decimal, format_percent)

LANGUAGES = ("da", "en")
DEFAULT = "da"
_LOCALE = {"da": "da_DK", "en": "en_GB"}

TEXT: dict[str, tuple[str, str]] = {
    # shell
    "title": ("Relationel velfærd: investeringsmodel", "Relational welfare: investment model"),
    "subtitle": ("Børn og Familier, Aarhus Kommune", "Children and Families, Aarhus Municipality"),
    "language": ("Sprog", "Language"),
    "nav": ("Sider", "Pages"),
    "page.overview": ("Overblik", "Overview"),
    "page.scenarios": ("Scenarier", "Scenarios"),
    "page.districts": ("Distrikter", "Districts"),
    "page.assumptions": ("Antagelser", "Assumptions"),
    "page.export": ("Eksport", "Export"),
    "url_problems": ("Nogle værdier i adressen blev afvist, og standardværdien bruges i stedet:",
                     "Some values in the address were refused; the default is used instead:"),
    "refused": ("Afvist", "Refused"),
    # units and number formats (plotly's separators: decimal point, then thousands)
    "unit.million_dkk": ("mio. kr.", "m DKK"),
    "format.separators": (",.", ".,"),
    "format.locale": ("da-DK", "en-GB"),
    # overview
    "kpi.npv": ("Nettoeffekt over {years} år (nutidsværdi)", "Net effect over {years} years (present value)"),
    "kpi.payback": ("Tjent hjem", "Pays back"),
    "kpi.payback_never": ("ikke inden {year}", "not by {year}"),
    "kpi.payback_p": ("{p} sandsynlighed for at være tjent hjem inden {year}",
                      "{p} probability of having paid back by {year}"),
    "kpi.placements": ("Anbringelser undgået", "Placements avoided"),
    "kpi.wellbeing": ("Andel børn i god trivsel", "Share of children in good wellbeing"),
    "kpi.wait": ("Ventetid på hjælp", "Waiting time for help"),
    "kpi.points": ("{x} pct.-point", "{x} pp"),
    "kpi.days": ("{x} dage", "{x} days"),
    "kpi.range": ("90 %-interval: {lo} til {hi}", "90 % interval: {lo} to {hi}"),
    "source.des": ("Simulering med {n} kørsler; båndet viser 5–95 %.",
                   "Simulation with {n} replications; the band shows 5–95 %."),
    "source.preview": ("Forventede værdier fra den analytiske model. Kør simuleringen under Scenarier for at se usikkerheden.",
                       "Expected values from the analytic model. Run the simulation under Scenarios to see the uncertainty."),
    "sentence": ("{what} Over {years} år giver det en nettoeffekt på {net} i nutidsværdi, og investeringen er {payback}.",
                 "{what} Over {years} years the net effect is {net} in present value, and the investment {payback}."),
    "sentence.rollout": ("Scenariet indfører relationel velfærd i {n} af {total} distrikter fra {first} til {last} med {caseload} sager pr. rådgiver mod {classic} i dag.",
                         "The scenario introduces relational welfare in {n} of {total} districts from {first} to {last} with {caseload} cases per caseworker against {classic} today."),
    "sentence.none": ("Scenariet indfører ikke relationel velfærd.", "The scenario does not introduce relational welfare."),
    "sentence.paid": ("tjent hjem i {year}", "pays back in {year}"),
    "sentence.unpaid": ("ikke tjent hjem inden {year}", "does not pay back by {year}"),
    # charts
    "chart.savings": ("Nettoeffekt pr. budgetår", "Net effect per budget year"),
    "chart.net": ("Netto pr. år", "Net per year"),
    "chart.cumulative": ("Kumuleret netto", "Cumulative net"),
    "chart.band": ("5–95 %-bånd (kumuleret)", "5–95 % band (cumulative)"),
    "chart.year": ("Budgetår", "Budget year"),
    "chart.dkk": ("Kroner", "DKK"),
    "chart.gantt": ("Udrulning af relationel velfærd pr. distrikt", "Rollout of relational welfare by district"),
    "chart.classic": ("Klassisk organisation", "Classic organisation"),
    "chart.wave": ("Bølge {n}", "Wave {n}"),
    "chart.district_net": ("Netto pr. distrikt", "Net by district"),
    "chart.district_placements": ("Anbringelser undgået", "Placements avoided"),
    "chart.districts": ("Resultater pr. distrikt over horisonten", "Results by district over the horizon"),
    "chart.compare": ("Kumuleret netto: sammenlignede scenarier", "Cumulative net: compared scenarios"),
    "chart.current": ("Nuværende", "Current"),
    # scenarios page
    "scn.inputs": ("Forudsætninger", "Inputs"),
    "scn.base": ("Udgangspunkt (udrulningstempo)", "Starting point (rollout pace)"),
    "base.plan": ("Planen: bølger fra 2023 til 2025", "The plan: waves 2023 to 2025"),
    "base.faster": ("Hurtigere: bølge 3–5 samlet i 2024", "Faster: waves 3–5 together in 2024"),
    "base.paused": ("Pause efter bølge 2", "Paused after wave 2"),
    "base.status-quo": ("Status quo: ingen relationel velfærd", "Status quo: no relational welfare"),
    "caseload.relational": ("Sagstal i relationelle teams (sager pr. rådgiver)", "Caseload in relational teams (cases per caseworker)"),
    "caseload.classic": ("Sagstal i den klassiske organisation", "Caseload in the classic organisation"),
    "staff.relational_capacity_ratio": ("Sagspladser i relationelle teams i forhold til i dag", "Relational case slots relative to today"),
    "relational.effect_strength": ("Effektstyrke (1 = som antaget)", "Effect strength (1 = as assumed)"),
    "finance.discount_rate": ("Diskonteringsrente (real, pr. år)", "Discount rate (real, per year)"),
    "cost.foster_dkk_per_day": ("Pris for plejefamilie (kr. pr. dag)", "Foster care cost (DKK per day)"),
    "cost.residential_dkk_per_day": ("Pris for døgninstitution (kr. pr. dag)", "Residential care cost (DKK per day)"),
    "staff.salary_dkk_per_year": ("Løn pr. rådgiver (kr. pr. år)", "Salary per caseworker (DKK per year)"),
    "implementation.per_district_dkk": ("Implementering pr. distrikt (kr.)", "Implementation per district (DKK)"),
    "years": ("Horisont (år)", "Horizon (years)"),
    "replications": ("Antal kørsler i simuleringen", "Replications in the simulation"),
    "scn.waves": ("Startmåned for hver bølge", "Start month of each wave"),
    "scn.wave": ("Bølge {n} starter", "Wave {n} starts"),
    "never": ("aldrig", "never"),
    "scn.staff": ("Ekstra rådgivere når alle distrikter er udrullet: {x} årsværk", "Extra caseworkers once every district is relational: {x} FTE"),
    "scn.other": ("Andre ændrede antagelser i dette scenarie: {keys}", "Other changed assumptions in this scenario: {keys}"),
    "scn.preview": ("Øjeblikkelig beregning", "Instant preview"),
    "scn.run": ("Kør simuleringen", "Run the simulation"),
    "scn.cancel": ("Afbryd", "Cancel"),
    "scn.progress": ("Fremdrift i simuleringen", "Simulation progress"),
    "scn.progress_text": ("{done} af {total} kørsler", "{done} of {total} replications"),
    "scn.done": ("Simuleringen er færdig: {n} kørsler.", "The simulation has finished: {n} replications."),
    "scn.cancelled": ("Simuleringen blev afbrudt.", "The simulation was cancelled."),
    "scn.save": ("Gem scenariet", "Save the scenario"),
    "scn.name": ("Navn på scenariet", "Name of the scenario"),
    "scn.saved": ("Gemt: {name}", "Saved: {name}"),
    "scn.deleted": ("Slettet: {name}", "Deleted: {name}"),
    "scn.saved_list": ("Gemte scenarier", "Saved scenarios"),
    "scn.none_saved": ("Ingen gemte scenarier endnu.", "No saved scenarios yet."),
    "scn.open": ("Åbn", "Open"),
    "scn.delete": ("Slet {name}", "Delete {name}"),
    "scn.compare": ("Sammenlign op til fire gemte scenarier", "Compare up to four saved scenarios"),
    "scn.compare_note": ("Forventede værdier fra den analytiske model.", "Expected values from the analytic model."),
    "scn.share": ("Adressen i browseren indeholder scenariet: kopier den for at dele det.", "The address in the browser holds the scenario: copy it to share it."),
    "col.scenario": ("Scenarie", "Scenario"),
    "col.npv": ("Nutidsværdi", "Present value"),
    "col.payback": ("Tjent hjem", "Pays back"),
    "col.placements": ("Anbringelser undgået", "Placements avoided"),
    "col.wellbeing": ("God trivsel (procentpoint)", "Good wellbeing (points)"),
    # districts
    "dist.intro": ("Hvert distrikt skifter til et relationelt team ved sin bølge.", "Each district switches to a relational team at its wave."),
    # assumptions page
    "ass.intro": ("Alle tal i modellen med enhed, plausibelt interval og kilde. Værdier, du har ændret, er markeret.",
                  "Every number in the model with its unit, plausible range and source. Values you changed are marked."),
    "ass.key": ("Parameter", "Parameter"),
    "ass.value": ("Værdi", "Value"),
    "ass.unit": ("Enhed", "Unit"),
    "ass.low": ("Lav", "Low"),
    "ass.high": ("Høj", "High"),
    "ass.source": ("Kilde", "Source"),
    "ass.note": ("Note", "Note"),
    "ass.kind": ("Art", "Kind"),
    "kind.world": ("Verden", "World"),
    "kind.policy": ("Politik", "Policy"),
    "ass.rule": ("Hver antagelse er enten en del af verden (priser, lønninger, basisrater, den klassiske organisation, "
                 "børnene og tidshorisonten) eller en del af politikken (udrulning, sagstal og kapacitet i relationelle "
                 "teams, effekterne af den relationelle praksis, tovholder og implementering). En ændring af verden gælder "
                 "både scenariet og status quo, som det sammenlignes med; en ændring af politikken gælder kun scenariet.",
                 "Each assumption belongs either to the world (prices, salaries, base rates, the classic organisation, "
                 "the children and the horizon) or to the policy (rollout, caseload and capacity of relational teams, "
                 "the effects of the relational practice, coordinator and implementation). A change to the world applies "
                 "to both the scenario and the status quo it is compared with; a change to the policy applies to the "
                 "scenario only."),
    "ass.download": ("Hent scenariet som TOML-fil", "Download the scenario as a TOML file"),
    "ass.upload": ("Vælg eller træk en scenariefil (.toml, højst {kb} kB) hertil", "Choose or drop a scenario file (.toml, at most {kb} kB) here"),
    "ass.upload_label": ("Indlæs et scenarie fra en fil", "Load a scenario from a file"),
    "ass.loaded": ("Indlæst og gemt som {name}.", "Loaded and saved as {name}."),
    # export
    "exp.intro": ("Tabellerne fra den seneste simulering af det aktuelle scenarie.", "The tables of the latest simulation of the current scenario."),
    "exp.need_run": ("Kør simuleringen under Scenarier først; eksporten bygger på dens resultater.",
                     "Run the simulation under Scenarios first; the export uses its results."),
    "exp.ready": ("Klar: {n} kørsler af {name}.", "Ready: {n} replications of {name}."),
    "exp.csv_da": ("CSV til dansk Excel", "CSV for Danish Excel"),
    "exp.csv": ("CSV (komma, punktum)", "CSV (comma, point)"),
    "exp.xlsx": ("Excel-projektmappe (xlsx)", "Excel workbook (xlsx)"),
}


def separators(lang: str) -> tuple[str, str]:
    """(decimal, thousands) separators of the language, for plotly and the number fields."""
    decimal, thousands = t("format.separators", lang)
    return decimal, thousands


def t(key: str, lang: str, **values: object) -> str:
    text = TEXT[key][LANGUAGES.index(lang if lang in LANGUAGES else DEFAULT)]
    return text.format(**values) if values else text


def language(value: object) -> str:
    """A language code from the browser, checked: anything unknown falls back to Danish."""
    return value if value in LANGUAGES else DEFAULT


def money(x: float, lang: str) -> str:
    """`1.234.567 kr.` in Danish, `1,234,567 DKK` in English."""
    return format_currency(round(x), "DKK", format="#,##0\u00a0¤", locale=_LOCALE[lang], currency_digits=False)


def money_short(x: float, lang: str) -> str:
    """`12,5 mio. kr.` in Danish, `12.5M DKK` in English."""
    if abs(x) < 1_000_000:
        return money(x, lang)
    if lang == "da":
        return format_compact_currency(x, "DKK", locale=_LOCALE[lang], fraction_digits=1)
    return f"{format_compact_decimal(x, locale=_LOCALE[lang], fraction_digits=1)} DKK"


def number(x: float, lang: str, digits: int = 0) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(x, pattern, locale=_LOCALE[lang])


def signed(x: float, lang: str, digits: int = 0) -> str:
    """`+1,5` or `−1,5`: a change, always with its sign."""
    body = "#,##0" + ("." + "0" * digits if digits else "")
    if round(x, digits) == 0:  # no "-0,0"
        return format_decimal(0, body, locale=_LOCALE[lang])
    return format_decimal(x, f"+{body};\u2212{body}", locale=_LOCALE[lang])


def percent(x: float, lang: str, digits: int = 0) -> str:
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "\u00a0%"
    return format_percent(x, pattern, locale=_LOCALE[lang])


def month(iso: str, lang: str, short: bool = False) -> str:
    """`februar 2023` (or `feb. 2023`) from `2023-02-01`."""
    return format_date(dt.date.fromisoformat(iso), "MMM y" if short else "MMMM y", locale=_LOCALE[lang])
