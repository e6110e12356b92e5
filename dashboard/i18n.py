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
    "unit.million_dkk": ("mio. kr. ({year}-priser)", "m DKK ({year} prices)"),
    # the price level (sim.prices): every amount is converted to one price year before a run
    "prices.published": ("Alle beløb er i {year}-priser, omregnet med Danmarks Statistiks forbrugerprisindeks.",
                         "All amounts are at {year} prices, converted with Statistics Denmark's consumer price index."),
    "prices.derived": ("Alle beløb er i {year}-priser, omregnet med Danmarks Statistiks forbrugerprisindeks "
                       "(indekset for {year} er beregnet ud fra de offentliggjorte måneder).",
                       "All amounts are at {year} prices, converted with Statistics Denmark's consumer price index "
                       "(the index for {year} is computed from the months published)."),
    "prices.forecast": ("Alle beløb er i {year}-priser, omregnet med Danmarks Statistiks forbrugerprisindeks "
                        "(indekset for {year} er Finansministeriets skøn).",
                        "All amounts are at {year} prices, converted with Statistics Denmark's consumer price index "
                        "(the index for {year} is Finansministeriet's forecast)."),
    "price.forecast": ("{year} (skøn)", "{year} (forecast)"),
    "scn.price_year": ("Prisniveau (alle beløb i dette års priser)", "Price level (every amount at this year's prices)"),
    "scn.price_year_note": ("Budgetåret {budget} findes endnu ikke i prisindekset; det nyeste år er standard. "
                            "Et nyt prisniveau omregner også de beløb, du har ændret.",
                            "The budget year {budget} is not in the price index yet; its newest year is the default. "
                            "A new price level also converts the amounts you changed."),
    # overview: the budget view beside the present value
    "budget.title": ("Budgetvirkning pr. år: udiskonteret, mio. kr. i {year}-priser",
                     "Budget effect per year: undiscounted, m DKK at {year} prices"),
    "budget.intro": ("Tabellen, der skrives ind i budgettet: hvad planen koster og sparer i hvert budgetår, "
                     "som beløbene falder, gennemsnit af {what}.",
                     "The table a budget is written in: what the plan costs and saves in each budget year, as the "
                     "amounts fall, mean of {what}."),
    "budget.what_preview": ("den analytiske models forventede værdier", "the analytic model's expected values"),
    "budget.what_run": ("{n} kørsler", "{n} replications"),
    "budget.year": ("Budgetår", "Budget year"),
    "budget.investment": ("Investering", "Investment"),
    "budget.savings": ("Bruttobesparelse", "Gross savings"),
    "budget.net": ("Netto", "Net"),
    "budget.cumulative": ("Kumuleret netto", "Cumulative net"),
    "budget.npv_title": ("Nutidsværdi: værdien over tid", "Present value: the value over time"),
    "budget.npv_text": ("De samme nettobeløb for {first}–{last}, tilbagediskonteret med {rate} om året til {first}: "
                        "ét tal for, hvad planen er værd i dag, når senere kroner tæller mindre. Budgettet bruger "
                        "tabellen; nutidsværdien bruges til at sammenligne planer.",
                        "The same net amounts for {first}–{last}, discounted by {rate} a year to {first}: one figure "
                        "for what the plan is worth today, a later krone counting for less. The budget uses the "
                        "table; the present value compares plans."),
    # overview: who pays and who saves (sim.payers)
    "payers.title": ("Hvem betaler, og hvem sparer? {first}–{last}, udiskonteret, mio. kr. i {year}-priser",
                     "Who pays and who saves? {first}–{last}, undiscounted, m DKK at {year} prices"),
    "payers.invest": ("Investeringen bæres af MSB ({msb}) og MBU ({mbu}).",
                      "The investment is carried by MSB ({msb}) and MBU ({mbu})."),
    "payers.save": ("Efter refusion er kommunens nettoeffekt {municipality}: besparelserne tilfalder MSB ({msb}) og "
                    "staten ({state}), der betaler refusion for særligt dyre enkeltsager.",
                    "After refusion the municipality's net effect is {municipality}: the savings go to MSB ({msb}) "
                    "and the state ({state}), which refunds particularly costly individual cases."),
    "payers.need_run": ("Kør simuleringen for at se, hvem der sparer: statens refusion for særligt dyre enkeltsager "
                        "beregnes barn for barn.",
                        "Run the simulation to see who saves: the state's refusion for particularly costly "
                        "individual cases is computed child by child."),
    "payers.payer": ("Betaler", "Payer"),
    "payers.savings": ("Besparelse", "Savings"),
    "payers.MSB": ("MSB – Sociale Forhold og Beskæftigelse", "MSB – Social Affairs and Employment"),
    "payers.MBU": ("MBU – Børn og Unge", "MBU – Children and Young People"),
    "payers.state": ("Staten (refusion)", "The state (refusion)"),
    "payers.municipality": ("Kommunen efter refusion (MSB og MBU)", "The municipality after refusion (MSB and MBU)"),
    "format.separators": (",.", ".,"),
    "format.locale": ("da-DK", "en-GB"),
    # overview
    "kpi.npv": ("Nettoeffekt over {years} år (nutidsværdi)", "Net effect over {years} years (present value)"),
    "kpi.payback": ("Tjent hjem", "Pays back"),
    "kpi.payback_never": ("ikke inden {year}", "not by {year}"),
    "kpi.payback_p": ("{p} sandsynlighed for at være tjent hjem inden {year}",
                      "{p} probability of having paid back by {year}"),
    "kpi.placements": ("Anbringelser undgået", "Placements avoided"),
    "kpi.wait": ("Ventetid på hjælp", "Waiting time for help"),
    "kpi.days": ("{x} dage", "{x} days"),
    "kpi.children": ("Børnene", "The children"),
    "kpi.children_placed": ("Færre børn anbragt inden for 2 år", "Fewer children placed within 2 years"),
    "kpi.children_home": ("Flere barneår hjemme", "More child-years at home"),
    "kpi.children_help": ("Hjælpen kommer", "Help comes"),
    "kpi.days_sooner": ("{x} dage hurtigere", "{x} days sooner"),
    "kpi.days_later": ("{x} dage senere", "{x} days later"),
    "kpi.children_need_run": ("Kør simuleringen for at følge børnene", "Run the simulation to follow the children"),
    "kpi.money": ("Pengene", "The money"),
    "kpi.range": ("90 %-interval: {lo} til {hi}", "90 % interval: {lo} to {hi}"),
    "source.noise": ("Simulering med {n} kørsler; båndet viser 5–95 % af tilfældigheden i familiernes forløb med "
                     "antagelserne fastholdt, ikke usikkerheden i antagelserne selv (se Usikkerhed).",
                     "Simulation with {n} replications; the band shows 5–95 % of the chance in the families' paths with "
                     "the assumptions held fixed, not the uncertainty in the assumptions themselves (see Uncertainty)."),
    "source.parameters": ("Simulering med {n} kørsler, hver med sit eget udtræk af de usikre antagelser; båndet viser "
                          "5–95 % af usikkerheden i antagelserne og tilfældigheden i familiernes forløb tilsammen. "
                          "Middelværdiens usikkerhed (Monte Carlo): ±{se}.",
                          "Simulation with {n} replications, each with its own draw of the uncertain assumptions; the "
                          "band shows 5–95 % of the uncertainty in the assumptions and the chance in the families' "
                          "paths together. Monte Carlo error of the mean: ±{se}."),
    "uncertainty": ("Usikkerhed i simuleringen", "Uncertainty in the simulation"),
    "uncertainty.parameters": ("Antagelser og tilfældighed", "Assumptions and chance"),
    "uncertainty.noise": ("Kun tilfældighed", "Chance only"),
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
    "chart.switch_spread": ("Skiftet: 5–95 % af kørslerne (bjælken starter ved medianen)",
                            "Switched: 5–95 % of the replications (the bar starts at the median)"),
    "chart.pilot": ("Pilotteam (sagstal {caseload})", "Pilot team (caseload {caseload})"),
    "chart.district_net": ("Netto pr. distrikt", "Net by district"),
    "chart.district_placements": ("Anbringelser<br>undgået", "Placements<br>avoided"),
    "chart.district_children": ("Børn anbragt inden for<br>2 år: færre", "Children placed within<br>2 years: fewer"),
    "chart.districts": ("Resultater pr. distrikt over horisonten", "Results by district over the horizon"),
    "chart.compare": ("Kumuleret netto: sammenlignede scenarier", "Cumulative net: compared scenarios"),
    "chart.current": ("Nuværende", "Current"),
    "chart.waterfall": ("Hvor nettoeffekten kommer fra (nutidsværdi)", "Where the net effect comes from (present value)"),
    "chart.waterfall_total": ("Nettoeffekt", "Net effect"),
    "channel.escalation": ("Lavere sagstal: færre forværringer", "Lower caseload: fewer escalations"),
    "channel.resolution": ("Lavere sagstal: hurtigere afsluttet hjælp", "Lower caseload: help ends sooner"),
    "channel.placement_length": ("Kortere anbringelser", "Shorter placements"),
    "channel.placement_mix": ("Plejefamilie frem for institution", "Foster care instead of residential"),
    "channel.practice": ("Relationel praksis: tidlig hjælp", "Relational practice: early help"),
    "channel.capacity": ("Flere sagspladser", "More case slots"),
    "channel.staff": ("Rådgivere", "Caseworkers"),
    "channel.coordinator": ("Tovholder", "Coordinator"),
    "channel.implementation": ("Implementering", "Implementation"),
    "channel.simulation": ("Simulering mod forventning", "Simulation against expectation"),
    "sentence.break_even": ("Planen giver overskud i nutidsværdi, hvis mindst {x} af den antagne effekt indtræffer "
                            "(alle virkemidler skaleret ned sammen).",
                            "The plan has a positive present value if at least {x} of the assumed effect materialises "
                            "(every lever scaled down together)."),
    "sentence.break_even_zero": ("Planen giver overskud i nutidsværdi, selv uden nogen af de antagne effekter.",
                                 "The plan has a positive present value even without any of the assumed effects."),
    "sentence.break_even_none": ("Planen giver ikke overskud i nutidsværdi inden for horisonten, heller ikke med den fulde antagne effekt.",
                                 "The plan does not reach a positive present value within the horizon, even with the full assumed effect."),
    # scenarios page
    "scn.inputs": ("Forudsætninger", "Inputs"),
    "scn.base": ("Udgangspunkt (udrulningstempo)", "Starting point (rollout pace)"),
    "base.plan": ("Planen: bølger fra 2023 til 2025", "The plan: waves 2023 to 2025"),
    "base.faster": ("Hurtigere: bølge 3–5 samlet i 2024", "Faster: waves 3–5 together in 2024"),
    "base.paused": ("Pause efter bølge 2", "Paused after wave 2"),
    "base.gated": ("Styret af besparelsen: bølge ved tærskel", "Savings-gated: a wave at the threshold"),
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
    "scn.getting_there": ("Omkostninger ved at komme dertil", "Costs of getting there"),
    "scn.getting_there_note": ("Rekruttering, ubesatte stillinger, indlæring, teamledere og prisen på hjælpen. "
                               "De gælder begge arme af sammenligningen.",
                               "Recruitment, vacancies, learning, team leaders and the price of help. "
                               "They apply to both arms of the comparison."),
    "staff.recruitment_months": ("Måneder til et nyt team er fuldt bemandet", "Months until a new team is fully staffed"),
    "staff.vacancy_rate": ("Ubesatte stillinger i relationelle teams (%)", "Vacant posts in relational teams (%)"),
    "relational.learning_months": ("Indlæringsperiode efter en bølge (måneder)", "Learning period after a wave (months)"),
    "relational.learning_effect": ("Effekt under indlæring (andel af den fulde)", "Effect while learning (share of the full)"),
    "cost.in_house_delivery": ("Andel af tidlig og koordineret hjælp leveret af egne folk",
                               "Share of early and coordinated help delivered in-house"),
    "cost.in_house_share": ("Egen marginalomkostning (andel af leverandørprisen)",
                            "In-house marginal cost (share of the provider price)"),
    "staff.team_leader_dkk_per_year": ("Løn pr. teamleder (kr. pr. år)", "Salary per team leader (DKK per year)"),
    "years": ("Horisont (år)", "Horizon (years)"),
    "replications": ("Antal kørsler i simuleringen", "Replications in the simulation"),
    "scn.waves": ("Startmåned for hver bølge", "Start month of each wave"),
    "scn.wave": ("Bølge {n} starter", "Wave {n} starts"),
    "never": ("aldrig", "never"),
    "scn.gate": ("Regel for bølgerne efter den første", "Rule for the waves after the first"),
    "gate.fixed": ("Faste datoer", "Fixed dates"),
    "gate.gated": ("Styret af besparelsen", "Savings-gated"),
    "gate.note": ("Styret af besparelsen: næste bølge starter ved det første månedsskifte, hvor nettoeffekten "
                  "(status quos forventede udgifter minus scenariets egne, investeringen med) har nået tærsklen, "
                  "dog tidligst efter mindste interval og senest efter største interval (tomt: ingen seneste dato). "
                  "Datoerne for bølge 2 og frem bruges da ikke.",
                  "Savings-gated: the next wave starts at the first month boundary at which the net (the status "
                  "quo's expected costs minus the scenario's own, the investment included) has reached the "
                  "threshold, no sooner than the shortest interval and no later than the longest (empty: no latest "
                  "date). The dates of waves 2 onwards are then not used."),
    "rollout.gate.basis": ("Nettoeffekt målt som", "Net measured as"),
    "gate.cumulative": ("samlet siden start", "cumulative since the start"),
    "gate.rolling_12m": ("seneste 12 måneder", "last 12 months"),
    "rollout.gate.threshold_dkk": ("Tærskel (mio. kr.)", "Threshold (m DKK)"),
    "rollout.gate.floor_months": ("Mindste interval mellem bølger (måneder)", "Shortest interval between waves (months)"),
    "rollout.gate.ceiling_months": ("Største interval (måneder, tomt: intet)", "Longest interval (months, empty: none)"),
    "scn.staff": ("Ekstra personale når alle distrikter er udrullet: udgifter svarende til {x} rådgiverårsværk (teamledere medregnet, ubesatte stillinger fratrukket)",
                  "Extra staff once every district is relational: the cost of {x} caseworker FTE (team leaders included, vacant posts deducted)"),
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
    # goal-seek: the budget question asked backwards (sim.goal_seek)
    "goal.title": ("Hvad skal der til?", "What would it take?"),
    "goal.intro": ("Find det billigste sagstal eller udrulningstempo, der når et besparelsesmål: den kumulerede "
                   "nettoeffekt (udiskonteret, i scenariets prisniveau) ved udgangen af et budgetår, med mindst en "
                   "given sandsynlighed. Den analytiske model søger på 100 udtræk af antagelserne; simuleringen "
                   "bekræfter svaret med det antal kørsler, der er valgt ovenfor.",
                   "Find the least costly caseload or rollout pace that reaches a savings target: the cumulative net "
                   "effect (undiscounted, at the scenario's price level) by the end of a budget year, with at least a "
                   "given probability. The analytic model searches on 100 draws of the assumptions; the simulation "
                   "confirms the answer with the replications chosen above."),
    "goal.target": ("Mål: kumuleret netto (mio. kr.)", "Target: cumulative net (m DKK)"),
    "goal.by_year": ("Senest ved udgangen af", "By the end of"),
    "goal.probability": ("Med mindst sandsynligheden (%)", "With at least the probability (%)"),
    "goal.lever": ("Hvad må ændres", "What may change"),
    "goal.lever.caseload.relational": ("Sagstal i relationelle teams", "Caseload in relational teams"),
    "goal.lever.pace": ("Udrulningstempo", "Rollout pace"),
    "goal.unit.caseload.relational": ("sager pr. rådgiver", "cases per caseworker"),
    "goal.unit.pace": ("måneder mellem bølgerne (bølge 1 som i scenariet)",
                       "months between the waves (wave 1 as in the scenario)"),
    "goal.run": ("Find svaret", "Find the answer"),
    "goal.searching": ("Søger: {done} af {total} værdier afprøvet", "Searching: {done} of {total} values tried"),
    "goal.found": ("Svar: {lever} = {value} {unit}. Det er den billigste værdi, der giver mindst {target} "
                   "({prices}-priser) senest i {year} med sandsynligheden {twin} i den analytiske model "
                   "({draws} udtræk af antagelserne, ±{twin_se}); simuleringen med {n} kørsler giver {sim} "
                   "(±{sim_se}) og {verdict} Investering til og med {year}: {investment}",
                   "Answer: {lever} = {value} {unit}. It is the least costly value that gives at least {target} "
                   "({prices} prices) by {year} with probability {twin} in the analytic model ({draws} draws of the "
                   "assumptions, ±{twin_se}); the simulation with {n} replications gives {sim} (±{sim_se}) and "
                   "{verdict} Investment up to {year}: {investment}"),
    "goal.confirmed": ("bekræfter det.", "confirms it."),
    "goal.not_confirmed": ("bekræfter det ikke: dens sandsynlighed er under målets med mere end sin usikkerhed.",
                           "does not confirm it: its probability is below the goal by more than its uncertainty."),
    "goal.none": ("Ingen værdi af {lever} fra {lo} til {hi} giver mindst {target} ({prices}-priser) senest i {year} "
                  "med sandsynligheden {p}. Tættest kommer {best} med {pbest}.",
                  "No value of {lever} from {lo} to {hi} gives at least {target} ({prices} prices) by {year} with "
                  "probability {p}. The closest is {best} with {pbest}."),
    "col.scenario": ("Scenarie", "Scenario"),
    "col.npv": ("Nutidsværdi ({year}-priser)", "Present value ({year} prices)"),
    "col.payback": ("Tjent hjem", "Pays back"),
    "col.placements": ("Anbringelser undgået", "Placements avoided"),
    # districts
    "dist.intro": ("Hvert distrikt skifter til et relationelt team ved sin bølge (styret af besparelsen: når nettoeffekten "
                   "har nået tærsklen; bjælken starter ved medianen over kørslerne, og stregen viser 5–95 %). Pilotdistrikterne (Relationel Familierådgivning "
                   "siden 2019 og 2021) arbejder relationelt med eget sagstal fra start i alle scenarier, også status quo, så "
                   "planen kun får æren for det, den lægger til. Distrikter med flere børn og større behov (indeks: "
                   "underretninger pr. barn i forhold til de øvrige) får flere underretninger, sager og sagspladser.",
                   "Each district switches to a relational team at its wave (savings-gated: once the net has reached "
                   "the threshold; the bar starts at the median over the replications, and the line shows 5–95 %). The pilot districts (Relationel Familierådgivning "
                   "since 2019 and 2021) work relationally with their own caseload from the start in every scenario, the status "
                   "quo included, so the plan is credited only with what it adds. Districts with more children and more need "
                   "(index: notifications per child against the others) get more notifications, cases and case slots."),
    "dist.label": ("{name} ({children} børn)", "{name} ({children} children)"),
    "dist.need": ("{name} ({children} børn, behov {need})", "{name} ({children} children, need {need})"),
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
    "ass.prices": ("{year}-priser", "{year} prices"),
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
    "exp.budget": ("Budgettabel (CSV til dansk Excel)", "Budget table (CSV for Danish Excel)"),
    "exp.xlsx": ("Excel-projektmappe (xlsx)", "Excel workbook (xlsx)"),
    # uncertainty page
    "page.uncertainty": ("Usikkerhed", "Uncertainty"),
    "unc.intro": ("Hvilke antagelser afgør, om investeringen tjener sig hjem? Her flyttes hver antagelse for sig fra "
                  "den lave til den høje ende af sit plausible interval.",
                  "Which assumptions decide whether the investment pays back? Here each assumption is moved on its "
                  "own from the low to the high end of its plausible range."),
    "unc.computing": ("Beregner … (op til et halvt minut første gang)", "Calculating … (up to half a minute the first time)"),
    "unc.explain": ("Figuren viser forventede værdier fra den analytiske model (ikke simuleringen): nettoeffekten over "
                    "{years} år i nutidsværdi, når én antagelse ad gangen går fra sin lave til sin høje værdi, mens alle "
                    "andre har deres værdier. Den lodrette linje er nettoeffekten med antagelsernes værdier ({npv}). "
                    "Her vises de {n} af {total} antagelser, der flytter mest. En ændring af verden gælder både scenariet "
                    "og status quo; en ændring af politikken kun scenariet.",
                    "The chart shows expected values from the analytic model (not the simulation): the net effect over "
                    "{years} years in present value as one assumption at a time goes from its low to its high value, "
                    "with all others at their values. The vertical line is the net effect with the assumptions' "
                    "values ({npv}). Shown are the {n} of {total} assumptions that move it most. A change to the world "
                    "applies to both the scenario and the status quo; a change to the policy to the scenario only."),
    "unc.table": ("Antagelserne i figuren; navnet fører til antagelsen og dens kilde under Antagelser.",
                  "The assumptions in the chart; the name leads to the assumption and its source under Assumptions."),
    "unc.param": ("Antagelse", "Assumption"),
    "unc.low": ("Lav værdi", "Low value"),
    "unc.high": ("Høj værdi", "High value"),
    "unc.npv_low": ("Nettoeffekt ved lav", "Net effect at low"),
    "unc.npv_high": ("Nettoeffekt ved høj", "Net effect at high"),
    "unc.swing": ("Udsving", "Swing"),
    "chart.tornado": ("Nettoeffekt når én antagelse ad gangen går fra lav til høj",
                      "Net effect as one assumption at a time goes from low to high"),
    "chart.tornado_low": ("Antagelsen ved sin lave værdi", "Assumption at its low value"),
    "chart.tornado_high": ("Antagelsen ved sin høje værdi", "Assumption at its high value"),
    "chart.tornado_base": ("Med antagelsernes værdier", "With the assumptions' values"),
    "chart.tornado_axis": ("Nettoeffekt over {years} år, nutidsværdi ({unit})",
                           "Net effect over {years} years, present value ({unit})"),
    # the assumptions in plain words (every one the tornado can show: sim.sensitivity.varied_parameters)
    "param.city.need_contrast": ("Hvor meget distrikternes behov vejer", "How much the districts' need weighs"),
    "param.city.children_growth_per_year": ("Vækst i antal børn pr. år", "Growth in the number of children per year"),
    "param.notifications.per_notified_child": ("Underretninger pr. underrettet barn", "Notifications per notified child"),
    "param.assessment.mean_days": ("Varighed af en børnefaglig undersøgelse", "Length of a child assessment"),
    "param.assessment.coordinated_share": ("Undersøgelser, der fører til forebyggende hjælp",
                                           "Assessments that lead to preventive help"),
    "param.coordinated.step_down_share": ("Nedtrapning fra koordineret til tidlig hjælp",
                                          "Step-down from coordinated to early help"),
    "param.intrusive.step_down_share": ("Anbringelser, der slutter med efterværn", "Placements that end with aftercare"),
    "param.intrusive.foster_share": ("Andel anbringelser i plejefamilie", "Share of placements in foster care"),
    "param.relapse.probability": ("Familier, der underrettes igen", "Families notified again"),
    "param.relapse.mean_days": ("Tid til en ny underretning", "Time until a new notification"),
    "param.severity.low_share": ("Andel børn med lette behov", "Share of children with low needs"),
    "param.severity.high_share": ("Andel børn med svære behov", "Share of children with high needs"),
    "param.severity.low_escalation_multiplier": ("Forværring ved lette behov", "Escalation with low needs"),
    "param.severity.high_escalation_multiplier": ("Forværring ved svære behov", "Escalation with high needs"),
    "param.waiting.max_days": ("Længste ventetid på en rådgiver", "Longest wait for a caseworker"),
    "param.waiting.escalation_increase_per_month": ("Ekstra forværring pr. måneds ventetid",
                                                    "Extra escalation per month of waiting"),
    "param.initial.assessment": ("Igangværende undersøgelser ved start", "Assessments under way at the start"),
    "param.initial.early": ("Familier i tidlig hjælp ved start", "Families in early help at the start"),
    "param.initial.coordinated": ("Familier i koordineret hjælp ved start", "Families in coordinated help at the start"),
    "param.initial.intrusive": ("Anbragte børn ved start", "Children in placement at the start"),
    "param.initial.relapse_pending": ("Tidligere familier, der vil vende tilbage", "Former families due to return"),
    "param.caseload.classic": ("Sagstal i den klassiske organisation", "Caseload in the classic organisation"),
    "param.caseload.relational": ("Sagstal i relationelle teams", "Caseload in relational teams"),
    "param.caseload.pilot": ("Sagstal i pilotdistrikterne (siden 2019 og 2021)", "Caseload in the pilot districts (since 2019 and 2021)"),
    "param.caseload.escalation_elasticity": ("Sagstallets betydning for forværring", "Effect of caseload on escalation"),
    "param.herning.saving_dkk": ("Besparelsen i Herning, som sagstallets effekt er fastlagt efter",
                                 "The Herning saving that fixes the effect of caseload"),
    "param.caseload.resolution_elasticity": ("Sagstallets betydning for afsluttede sager",
                                             "Effect of caseload on closing cases"),
    "param.caseload.placement_length_elasticity": ("Sagstallets betydning for anbringelsers længde",
                                                   "Effect of caseload on placement length"),
    "param.staff.classic_caseworkers": ("Rådgivere i den klassiske organisation (årsværk)",
                                        "Caseworkers in the classic organisation (FTE)"),
    "param.staff.relational_capacity_ratio": ("Sagspladser i relationelle teams i forhold til i dag",
                                              "Relational case slots relative to today"),
    "param.staff.salary_dkk_per_year": ("Løn pr. rådgiver", "Salary per caseworker"),
    "param.staff.overhead_share": ("Overhead oven på lønnen", "Overhead on top of salary"),
    "param.staff.recruitment_months": ("Måneder til et nyt team er fuldt bemandet", "Months until a new team is fully staffed"),
    "param.staff.vacancy_rate": ("Ubesatte stillinger i relationelle teams", "Vacant posts in relational teams"),
    "param.staff.team_leader_dkk_per_year": ("Løn pr. teamleder", "Salary per team leader"),
    "param.staff.caseworkers_per_leader": ("Rådgivere pr. teamleder", "Caseworkers per team leader"),
    "param.relational.early_shift": ("Flere familier hjælpes tidligt i stedet for at blive undersøgt",
                                     "More families helped early instead of assessed"),
    "param.relational.placement_shift": ("Færre anbringelser lige efter en undersøgelse",
                                         "Fewer placements straight after an assessment"),
    "param.relational.foster_shift": ("Plejefamilie i stedet for institution", "Foster care instead of residential care"),
    "param.relational.effect_strength": ("Effektstyrke for alle virkemidler i relationelle teams", "Strength of every lever of relational teams"),
    "param.relational.learning_months": ("Indlæringsperiode efter en bølge", "Learning period after a wave"),
    "param.relational.learning_effect": ("Effekt under indlæring", "Effect while learning"),
    "param.cost.early_dkk_per_day": ("Pris for tidlig hjælp pr. dag", "Cost of early help per day"),
    "param.cost.coordinated_dkk_per_day": ("Pris for koordineret hjælp pr. dag", "Cost of coordinated help per day"),
    "param.cost.foster_dkk_per_day": ("Pris for plejefamilie pr. dag", "Cost of foster care per day"),
    "param.cost.residential_dkk_per_day": ("Pris for døgninstitution pr. dag", "Cost of residential care per day"),
    "param.cost.in_house_delivery": ("Hjælp leveret af egne folk (andel)", "Help delivered in-house (share)"),
    "param.cost.in_house_share": ("Egen marginalomkostning for hjælp", "In-house marginal cost of help"),
    "param.implementation.per_district_dkk": ("Implementering pr. distrikt", "Implementation per district"),
    "param.finance.discount_rate": ("Diskonteringsrente", "Discount rate"),
    "param.finance.discount_rate_after_35": ("Diskonteringsrente efter 35 år", "Discount rate after 35 years"),
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
