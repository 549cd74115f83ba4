// i18n-whatif.ts - the texts of the what-if page (issue 15.5, docs/invoices.md
// "What-if") and of the dashboard's yardsticks (issue 15.4) in Swedish and English, kept apart from i18n.ts like the invoice
// pages' texts. `tw` follows the language chosen in the header; `en` must have
// the same keys as `sv` (the type checker enforces it).
import { lang } from './i18n';

const sv = {
  nav_whatif: 'Jämför överenskommelser',
  whatif_title: 'Jämför överenskommelser',
  whatif_intro:
    'Vad hade betalningsansvaret blivit med andra villkor? Historiken räknas om per kommun och månad med de överenskommelser du väljer – fristdagar, kalenderdagar eller vardagar, aftnar, belopp, medelvärdesmodellen – bredvid det som faktiskt fakturerades.',
  whatif_scope_municipality: 'Du ser din kommun och de fakturaunderlag regionen har skickat.',
  whatif_from: 'Från',
  whatif_to: 'Till och med',
  whatif_municipality: 'Kommun',
  whatif_all_municipalities: 'Alla kommuner',
  whatif_agreements: 'Överenskommelser att jämföra',
  whatif_agreements_hint: 'Välj bland de inlästa eller ladda upp en överenskommelse som JSON-fil (den sparas inte). Högst 8.',
  whatif_upload: 'Ladda upp överenskommelse (JSON)',
  whatif_upload_bad: 'Filen är ingen överenskommelse i JSON.',
  whatif_remove: 'Ta bort',
  whatif_uploaded: 'uppladdad',
  whatif_version: 'version',
  whatif_none_chosen: 'Välj minst en överenskommelse.',
  whatif_run: 'Räkna om',
  whatif_running: 'Räknar …',
  whatif_chart: 'Belopp per månad: fakturerat och varje överenskommelse',
  whatif_table: 'Per kommun och månad',
  whatif_col_municipality: 'Kommun',
  whatif_col_month: 'Månad',
  whatif_col_invoiced: 'Fakturerat',
  whatif_col_recomputed: 'Gällande villkor nu',
  whatif_no_invoice: 'ingen faktura',
  whatif_total: 'Summa',
  whatif_month: 'Månad',
  whatif_unpriced: 'vårddygn utan belopp',
  whatif_episodes: 'vårdtillfällen lästa',
  whatif_explain:
    'En överenskommelse gäller för de kommuner den omfattar och de dagar den gäller; annars gäller de inlästa. Med den gällande överenskommelsen blir beloppen desamma som på fakturaunderlagen. Patienter som ligger kvar räknas till och med i går.',
  yard_title: 'Mål enligt överenskommelsen',
  yard_intro:
    'Medelantal vårddygn med betalningsansvar per vårdtillfälle (avslutade vårdtillfällen med minst en utskrivningsklar dag) per kommun, mot målet i den gällande överenskommelsen – till exempel att inte ligga över basårets nivå.',
  yard_none: 'Ingen gällande överenskommelse anger mål för kommunerna i urvalet.',
  yard_chart: 'Medelantal vårddygn med betalningsansvar per kommun och överenskommelsens mål',
  yard_table: 'Medelantal vårddygn med betalningsansvar mot målet, per kommun',
  yard_municipality: 'Kommun',
  yard_mean: 'Vårddygn med betalningsansvar per vårdtillfälle',
  yard_target: 'Mål',
  yard_year: 'Basår',
  yard_above: 'Över målet',
  yard_within: 'Inom målet',
};

type WhatIfKey = keyof typeof sv;

const en: Record<WhatIfKey, string> = {
  nav_whatif: 'Compare agreements',
  whatif_title: 'Compare agreements',
  whatif_intro:
    'What would payment liability have been on other terms? The history is recomputed per municipality and month under the agreements you choose – grace days, calendar days or weekdays, eves, amounts, the average model – beside what was actually invoiced.',
  whatif_scope_municipality: 'You see your municipality and the invoice bases the region has sent.',
  whatif_from: 'From',
  whatif_to: 'To (inclusive)',
  whatif_municipality: 'Municipality',
  whatif_all_municipalities: 'All municipalities',
  whatif_agreements: 'Agreements to compare',
  whatif_agreements_hint: 'Choose among the imported ones or upload an agreement as a JSON file (it is not stored). At most 8.',
  whatif_upload: 'Upload an agreement (JSON)',
  whatif_upload_bad: 'The file is not an agreement in JSON.',
  whatif_remove: 'Remove',
  whatif_uploaded: 'uploaded',
  whatif_version: 'version',
  whatif_none_chosen: 'Choose at least one agreement.',
  whatif_run: 'Recompute',
  whatif_running: 'Computing …',
  whatif_chart: 'Amount per month: invoiced and each agreement',
  whatif_table: 'Per municipality and month',
  whatif_col_municipality: 'Municipality',
  whatif_col_month: 'Month',
  whatif_col_invoiced: 'Invoiced',
  whatif_col_recomputed: 'Terms in force now',
  whatif_no_invoice: 'no invoice',
  whatif_total: 'Total',
  whatif_month: 'Month',
  whatif_unpriced: 'nights without an amount',
  whatif_episodes: 'episodes read',
  whatif_explain:
    'An agreement applies to the municipalities it covers and on the days it is in force; elsewhere the imported ones apply. With the agreement in force, the amounts equal the invoice bases. Patients still in hospital count up to yesterday.',
  yard_title: 'Targets of the agreement',
  yard_intro:
    'Mean liable days per episode (episodes ended with at least one ready-day) per municipality, against the target of the agreement in force – for instance not above the baseline year’s level.',
  yard_none: 'No agreement in force sets targets for the municipalities shown.',
  yard_chart: 'Mean liable days per municipality and the agreement’s target',
  yard_table: 'Mean liable days against the target, per municipality',
  yard_municipality: 'Municipality',
  yard_mean: 'Liable days per episode',
  yard_target: 'Target',
  yard_year: 'Baseline year',
  yard_above: 'Above the target',
  yard_within: 'Within the target',
};

export function tw(k: WhatIfKey): string {
  return (lang.get() === 'sv' ? sv : en)[k];
}
