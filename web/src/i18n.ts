// i18n.ts - the UI's two languages and its date formatting.
//
// Swedish is the default; English can be chosen in the header and is kept in
// localStorage. Every text of the UI is a key of the `sv` table; `en` must
// have the same keys (the type checker enforces it). Codes from the API (event
// types, statuses, deadline kinds...) get their labels from `codeLabel`, whose
// Swedish texts are the core's own labels (src/core/*.c) so the UI and the API
// speak alike. All dates and times are shown in Swedish format in
// Europe/Stockholm, whatever the browser's own time zone is.
import { signal } from './signal';

export type Lang = 'sv' | 'en';

const sv = {
  app_name: 'hemgang',
  app_tagline: 'Samverkan vid utskrivning',
  skip_to_content: 'Hoppa till innehållet',
  demo_banner: 'DEMO – fiktiva patienter. Lösenordet för alla demoanvändare är ”demo”.',
  language: 'Språk',
  switch_language: 'In English',
  nav_label: 'Huvudmeny',
  nav_start: 'Arbetslista',
  nav_episodes: 'Vårdtillfällen',
  nav_search: 'Sök patient',
  nav_admit: 'Ny inskrivning',
  logout: 'Logga ut',
  logged_in_as: 'Inloggad som',
  loading: 'Hämtar …',
  saving: 'Skickar …',
  updated_at: 'Uppdaterad',
  auto_refresh: 'Uppdateras automatiskt var 10:e sekund.',
  error_generic: 'Något gick fel.',
  error_network: 'Servern svarar inte. Försök igen om en stund.',
  error_session: 'Du har blivit utloggad. Logga in igen.',
  not_found: 'Sidan finns inte.',
  episode_not_found: 'Vårdtillfället finns inte eller så får du inte se det.',
  back_to_start: 'Till arbetslistan',
  // login
  login_title: 'Logga in',
  login_intro: 'Logga in med ditt användarnamn och lösenord.',
  username: 'Användarnamn',
  password: 'Lösenord',
  login_button: 'Logga in',
  // start page
  start_title: 'Arbetslista',
  start_for: 'för',
  new_notices: 'Nya meddelanden att kvittera',
  new_notices_none: 'Inga okvitterade meddelanden.',
  deadlines_today: 'Tidsgränser som går ut i dag',
  deadlines_today_none: 'Inga tidsgränser går ut i dag.',
  overdue: 'Försenat',
  overdue_none: 'Inget är försenat.',
  ready_waiting: 'Utskrivningsklara som väntar',
  ready_waiting_none: 'Inga utskrivningsklara patienter väntar.',
  recently_discharged: 'Utskrivna senaste 7 dagarna',
  recently_discharged_none: 'Inga utskrivna de senaste 7 dagarna.',
  acknowledge: 'Kvittera',
  acknowledged: 'Kvitterad',
  no_worklist_role: 'Din roll arbetar inte med enskilda patienter, så du har ingen arbetslista här.',
  count_items: 'st',
  // table columns
  col_patient: 'Patient',
  col_pnr: 'Personnummer',
  col_message: 'Meddelande',
  col_sent: 'Skickat',
  col_ward: 'Avdelning',
  col_unit: 'Till enhet',
  col_status: 'Status',
  col_deadline: 'Tidsgräns',
  col_due: 'Går ut',
  col_ready_since: 'Utskrivningsklar sedan',
  col_ready_days: 'Utskrivningsklara dagar',
  col_liability_from: 'Betalningsansvar från',
  col_expected: 'Beräknat utskrivningsdatum',
  col_admitted: 'Inskriven',
  col_discharged: 'Utskriven',
  col_track: 'Process',
  col_municipality: 'Kommun',
  col_action: 'Åtgärd',
  open_episode: 'Öppna',
  // episode page
  episode_title: 'Vårdtillfälle',
  patient: 'Patient',
  personnummer: 'Personnummer',
  age: 'Ålder',
  years: 'år',
  registered_municipality: 'Folkbokföringskommun',
  primary_care_unit: 'Vårdcentral',
  address: 'Adress',
  address_hidden: 'Skyddad identitet – adressen visas inte',
  protected_identity: 'Skyddad identitet',
  status: 'Status',
  track: 'Process',
  track_none: 'Ej satt',
  ward: 'Avdelning',
  care_type: 'Vårdform',
  admitted_at: 'Inskriven',
  expected_date: 'Beräknat utskrivningsdatum',
  expected_history: 'Historik',
  date_changes: 'ändringar',
  ready_days: 'Utskrivningsklara dagar',
  care_contact: 'Fast vårdkontakt',
  sip: 'SIP',
  sip_called_for: 'Kallad till',
  sip_held_at: 'Genomförd',
  on_leave: 'På permission',
  discharged_to: 'Utskriven till',
  recipients: 'Mottagare',
  deadlines: 'Tidsgränser',
  deadline_due: 'går ut',
  deadline_met: 'uppfylld',
  timeline: 'Händelser',
  timeline_empty: 'Inga händelser.',
  by: 'av',
  acks: 'Kvittenser',
  ack_missing: 'ej kvitterad',
  ack_by_you: 'Kvittera för',
  cancelled_mark: 'Makulerad',
  corrected_mark: 'Rättad',
  correction_of: 'Rättelse av händelse',
  cancel_event: 'Makulera',
  actions: 'Registrera',
  actions_none: 'Din roll kan inte registrera något mer i detta vårdtillfälle.',
  close_form: 'Stäng',
  send: 'Skicka',
  sent_ok: 'Skickat.',
  updated_live: 'Nya händelser har kommit.',
  // forms
  occurred_at: 'Tidpunkt',
  note: 'Anteckning',
  optional: 'frivilligt',
  required_mark: 'obligatoriskt',
  required_field: 'Fyll i det här fältet.',
  choose: 'Välj …',
  expected_discharge_date: 'Beräknat utskrivningsdatum',
  need_judged_at: 'Behovet bedömdes (om inte vid inskrivningen)',
  recipients_suggested: 'Föreslagna mottagare',
  recipients_add: 'Lägg till mottagare',
  recipients_none_chosen: 'Välj minst en mottagare.',
  remove: 'Ta bort',
  add: 'Lägg till',
  to_unit: 'Till enhet',
  reply_to: 'Svar på',
  consent_state: 'Samtycke',
  consent_scope: 'Omfattning',
  consent_how: 'Hur samtycket inhämtades',
  colour: 'Processfärg',
  name: 'Namn',
  title_role: 'Yrkesroll',
  phone: 'Telefon',
  meeting_at: 'Mötet äger rum',
  place: 'Plats',
  held_at: 'Mötet hölls',
  follow_up_date: 'Uppföljningsdatum',
  destination: 'Utskriven till',
  category: 'Kategori',
  against_org: 'Gäller organisation',
  cancels: 'Händelse att makulera',
  new_ward: 'Ny avdelning',
  ready_recipients_note: 'Underrättelsen går till alla som fått inskrivningsmeddelandet.',
  // admission
  admit_title: 'Ny inskrivning',
  admit_intro: 'Skriv in en patient på din avdelning. Därefter skickar du inskrivningsmeddelandet.',
  patient_name: 'Patientens namn',
  patient_pnr: 'Personnummer eller samordningsnummer',
  patient_municipality: 'Folkbokföringskommun',
  patient_pcu: 'Vårdcentral (listning)',
  patient_address: 'Folkbokföringsadress',
  patient_protected: 'Skyddad identitet (adressen visas aldrig för andra)',
  admit_ward: 'Avdelning',
  admit_button: 'Skriv in',
  none: 'Ingen',
  // episodes list
  episodes_title: 'Vårdtillfällen',
  filter: 'Filtrera',
  filter_unit: 'Enhet',
  filter_municipality: 'Kommun',
  filter_status: 'Status',
  filter_from: 'Från datum',
  filter_to: 'Till datum',
  filter_any: 'Alla',
  filter_apply: 'Visa',
  results: 'träffar',
  prev_page: 'Föregående',
  next_page: 'Nästa',
  page: 'Sida',
  no_episodes: 'Inga vårdtillfällen matchar.',
  // search
  search_title: 'Sök på personnummer',
  search_intro: 'Sökningen loggas med ditt skäl. Du ser bara vårdtillfällen som din enhet är part i.',
  search_reason: 'Skäl till sökningen',
  search_button: 'Sök',
  search_none: 'Inga vårdtillfällen hittades.',
};

export type Key = keyof typeof sv;

const en: Record<Key, string> = {
  app_name: 'hemgang',
  app_tagline: 'Coordinated discharge',
  skip_to_content: 'Skip to content',
  demo_banner: 'DEMO – fictional patients. Every demo user\'s password is "demo".',
  language: 'Language',
  switch_language: 'På svenska',
  nav_label: 'Main menu',
  nav_start: 'Worklist',
  nav_episodes: 'Episodes',
  nav_search: 'Find patient',
  nav_admit: 'New admission',
  logout: 'Log out',
  logged_in_as: 'Logged in as',
  loading: 'Loading …',
  saving: 'Sending …',
  updated_at: 'Updated',
  auto_refresh: 'Refreshes every 10 seconds.',
  error_generic: 'Something went wrong.',
  error_network: 'The server does not answer. Try again in a moment.',
  error_session: 'You have been logged out. Please log in again.',
  not_found: 'There is no such page.',
  episode_not_found: 'The episode does not exist or you may not see it.',
  back_to_start: 'Back to the worklist',
  login_title: 'Log in',
  login_intro: 'Log in with your user name and password.',
  username: 'User name',
  password: 'Password',
  login_button: 'Log in',
  start_title: 'Worklist',
  start_for: 'for',
  new_notices: 'New notices to acknowledge',
  new_notices_none: 'No unacknowledged notices.',
  deadlines_today: 'Deadlines due today',
  deadlines_today_none: 'No deadline is due today.',
  overdue: 'Overdue',
  overdue_none: 'Nothing is overdue.',
  ready_waiting: 'Ready for discharge, still in hospital',
  ready_waiting_none: 'No ready patient is waiting.',
  recently_discharged: 'Discharged in the last 7 days',
  recently_discharged_none: 'Nobody discharged in the last 7 days.',
  acknowledge: 'Acknowledge',
  acknowledged: 'Acknowledged',
  no_worklist_role: 'Your role does not work with individual patients, so it has no worklist here.',
  count_items: '',
  col_patient: 'Patient',
  col_pnr: 'Personal identity number',
  col_message: 'Notice',
  col_sent: 'Sent',
  col_ward: 'Ward',
  col_unit: 'To unit',
  col_status: 'Status',
  col_deadline: 'Deadline',
  col_due: 'Due',
  col_ready_since: 'Ready since',
  col_ready_days: 'Ready-days',
  col_liability_from: 'Liability from',
  col_expected: 'Expected discharge',
  col_admitted: 'Admitted',
  col_discharged: 'Discharged',
  col_track: 'Track',
  col_municipality: 'Municipality',
  col_action: 'Action',
  open_episode: 'Open',
  episode_title: 'Episode',
  patient: 'Patient',
  personnummer: 'Personal identity number',
  age: 'Age',
  years: 'years',
  registered_municipality: 'Municipality of registration',
  primary_care_unit: 'Primary care centre',
  address: 'Address',
  address_hidden: 'Protected identity – the address is not shown',
  protected_identity: 'Protected identity',
  status: 'Status',
  track: 'Track',
  track_none: 'Not set',
  ward: 'Ward',
  care_type: 'Care type',
  admitted_at: 'Admitted',
  expected_date: 'Expected discharge date',
  expected_history: 'History',
  date_changes: 'changes',
  ready_days: 'Ready-days',
  care_contact: 'Care contact',
  sip: 'SIP',
  sip_called_for: 'Called for',
  sip_held_at: 'Held',
  on_leave: 'On leave',
  discharged_to: 'Discharged to',
  recipients: 'Recipients',
  deadlines: 'Deadlines',
  deadline_due: 'due',
  deadline_met: 'met',
  timeline: 'Events',
  timeline_empty: 'No events.',
  by: 'by',
  acks: 'Acknowledgements',
  ack_missing: 'not acknowledged',
  ack_by_you: 'Acknowledge for',
  cancelled_mark: 'Cancelled',
  corrected_mark: 'Corrected',
  correction_of: 'Correction of event',
  cancel_event: 'Cancel',
  actions: 'Record',
  actions_none: 'Your role cannot record anything more in this episode.',
  close_form: 'Close',
  send: 'Send',
  sent_ok: 'Sent.',
  updated_live: 'New events have arrived.',
  occurred_at: 'Time',
  note: 'Note',
  optional: 'optional',
  required_mark: 'required',
  required_field: 'Fill in this field.',
  choose: 'Choose …',
  expected_discharge_date: 'Expected discharge date',
  need_judged_at: 'Need judged at (if not at admission)',
  recipients_suggested: 'Suggested recipients',
  recipients_add: 'Add a recipient',
  recipients_none_chosen: 'Choose at least one recipient.',
  remove: 'Remove',
  add: 'Add',
  to_unit: 'To unit',
  reply_to: 'Reply to',
  consent_state: 'Consent',
  consent_scope: 'Scope',
  consent_how: 'How it was obtained',
  colour: 'Track colour',
  name: 'Name',
  title_role: 'Title',
  phone: 'Phone',
  meeting_at: 'Meeting at',
  place: 'Place',
  held_at: 'Meeting held at',
  follow_up_date: 'Follow-up date',
  destination: 'Discharged to',
  category: 'Category',
  against_org: 'Concerns organisation',
  cancels: 'Event to cancel',
  new_ward: 'New ward',
  ready_recipients_note: 'The notice goes to everyone who received the admission notice.',
  admit_title: 'New admission',
  admit_intro: 'Admit a patient to your ward. Then send the admission notice.',
  patient_name: 'Patient\'s name',
  patient_pnr: 'Personal identity or coordination number',
  patient_municipality: 'Municipality of registration',
  patient_pcu: 'Primary care centre (listed at)',
  patient_address: 'Registered address',
  patient_protected: 'Protected identity (the address is never shown to others)',
  admit_ward: 'Ward',
  admit_button: 'Admit',
  none: 'None',
  episodes_title: 'Episodes',
  filter: 'Filter',
  filter_unit: 'Unit',
  filter_municipality: 'Municipality',
  filter_status: 'Status',
  filter_from: 'From date',
  filter_to: 'To date',
  filter_any: 'All',
  filter_apply: 'Show',
  results: 'results',
  prev_page: 'Previous',
  next_page: 'Next',
  page: 'Page',
  no_episodes: 'No episodes match.',
  search_title: 'Search by personal identity number',
  search_intro: 'The search is logged with your reason. You only see episodes your unit is party to.',
  search_reason: 'Reason for the search',
  search_button: 'Search',
  search_none: 'No episodes found.',
};

const tables: Record<Lang, Record<Key, string>> = { sv, en };

function initialLang(): Lang {
  try {
    const v = localStorage.getItem('hemgang.lang');
    if (v === 'en' || v === 'sv') return v;
  } catch {
    /* storage blocked: default */
  }
  return 'sv';
}

export const lang = signal<Lang>(initialLang());

export function setLang(l: Lang): void {
  try {
    localStorage.setItem('hemgang.lang', l);
  } catch {
    /* ignore */
  }
  document.documentElement.lang = l;
  lang.set(l);
}

export function t(k: Key): string {
  return tables[lang.get()][k];
}

// ---- labels of API codes: [sv, en]; Swedish texts as in the core's tables ----

type Pair = [string, string];
const codes: Record<string, Record<string, Pair>> = {
  event: {
    admitted: ['Inskrivning', 'Admission'],
    transferred: ['Överflyttning mellan avdelningar', 'Transfer between wards'],
    admission_notice: ['Inskrivningsmeddelande', 'Admission notice'],
    expected_date_changed: ['Ändrat beräknat utskrivningsdatum', 'Expected discharge date changed'],
    acknowledged: ['Kvittens', 'Notice acknowledged'],
    info_requested: ['Begäran om information', 'Information requested'],
    info_replied: ['Svar på begäran om information', 'Information request answered'],
    consent_recorded: ['Samtycke', 'Consent recorded'],
    track_set: ['Processfärg satt', 'Process track set'],
    care_contact_appointed: ['Fast vårdkontakt utsedd', 'Care contact appointed'],
    sip_called: ['Kallelse till SIP', 'SIP meeting called'],
    sip_held: ['SIP genomförd', 'SIP meeting held'],
    ready_for_discharge: ['Underrättelse om utskrivningsklar', 'Ready for discharge'],
    ready_withdrawn: ['Återtagen utskrivningsklar', 'Ready for discharge withdrawn'],
    municipality_ready: ['Hemgångsklar (kommunen klar att ta emot)', 'Municipality ready to receive'],
    discharged: ['Utskrivning', 'Discharge'],
    deviation: ['Avvikelse', 'Deviation'],
    cancelled: ['Makulering', 'Cancellation'],
    leave_started: ['Permission påbörjad', 'Leave started'],
    leave_ended: ['Permission avslutad', 'Leave ended'],
  },
  status: {
    empty: ['ej inskriven', 'not admitted'],
    admitted: ['inskriven', 'admitted'],
    ready: ['utskrivningsklar', 'ready for discharge'],
    discharged: ['utskriven', 'discharged'],
    cancelled: ['makulerat', 'cancelled'],
  },
  deadline: {
    admission_notice: ['Inskrivningsmeddelande inom 24 timmar', 'Admission notice within 24 hours'],
    care_contact: ['Fast vårdkontakt utsedd inom 3 dagar', 'Care contact appointed within 3 days'],
    sip_call: ['Kallelse till SIP inom 3 dagar', 'SIP meeting called within 3 days'],
  },
  deadline_state: {
    not_due_yet: ['ej förfallen', 'not due yet'],
    due_today: ['förfaller i dag', 'due today'],
    met: ['uppfylld i tid', 'met'],
    met_late: ['uppfylld för sent', 'met late'],
    overdue: ['försenad', 'overdue'],
    not_applicable: ['ej tillämplig', 'not applicable'],
  },
  care_type: {
    somatic: ['somatisk vård', 'somatic care'],
    geriatric: ['geriatrisk vård', 'geriatric care'],
    psychiatric: ['psykiatrisk vård', 'psychiatric care'],
  },
  unit_kind: {
    ward: ['vårdavdelning', 'hospital ward'],
    primary_care: ['vårdcentral', 'primary care centre'],
    specialist_outpatient: ['specialistmottagning', 'specialist outpatient clinic'],
    municipal_social: ['kommunens socialtjänst', 'municipal social services'],
    municipal_health: ['kommunal hälso- och sjukvård', 'municipal health care'],
    admin: ['administration', 'administration'],
  },
  colour: {
    green: ['grön process', 'green track'],
    yellow: ['gul process', 'yellow track'],
    red: ['röd process', 'red track'],
  },
  consent_state: {
    given: ['samtycke lämnat', 'consent given'],
    declined: ['samtycke nekat', 'consent declined'],
    withdrawn: ['samtycke återkallat', 'consent withdrawn'],
  },
  consent_how: {
    verbal: ['muntligt', 'verbally'],
    written: ['skriftligt', 'in writing'],
    digital: ['digitalt', 'digitally'],
    representative: ['genom företrädare', 'by a legal representative'],
    presumed: ['förmodat samtycke', 'presumed'],
  },
  place: {
    home: ['i hemmet', 'at home'],
    hospital: ['på sjukhuset', 'in hospital'],
    video: ['via video', 'by video'],
    other: ['annan plats', 'elsewhere'],
  },
  destination: {
    own_home: ['ordinärt boende', 'own home'],
    special_housing: ['särskilt boende (SÄBO)', 'special housing'],
    short_term_care: ['korttidsvård', 'short-term care'],
    other_hospital: ['annat sjukhus', 'other hospital'],
    deceased: ['avliden', 'deceased'],
    other: ['annat', 'other'],
  },
  category: {
    notice_missing: ['inskrivningsmeddelande saknas', 'admission notice missing'],
    notice_late: ['inskrivningsmeddelande för sent', 'admission notice late'],
    information_incomplete: ['bristfällig information', 'information incomplete'],
    discharge_not_ready: ['utskrivning utan planering', 'discharged without the planning in place'],
    medication: ['läkemedel', 'medication'],
    care_contact_missing: ['fast vårdkontakt saknas', 'care contact missing'],
    sip_missing: ['SIP saknas', 'SIP missing'],
    equipment: ['hjälpmedel', 'assistive equipment'],
    transport: ['transport', 'transport'],
    other: ['övrigt', 'other'],
  },
  role: {
    ward_staff: ['avdelningspersonal', 'ward staff'],
    primary_care: ['vårdcentral / öppenvård', 'primary care'],
    municipal_assessor: ['biståndshandläggare', 'municipal needs assessor'],
    municipal_nurse: ['kommunsjuksköterska', 'municipal nurse'],
    analyst: ['analytiker', 'analyst'],
    invoice_officer: ['fakturahandläggare', 'invoice officer'],
    admin: ['administratör', 'administrator'],
    integration: ['journalsystem (integration)', 'records system (integration)'],
  },
};

/** The label of an API code in the current language; the code itself when unknown. */
export function codeLabel(table: keyof typeof codes | string, code: string | null | undefined): string {
  if (!code) return '';
  const p = codes[table]?.[code];
  if (!p) return code;
  return lang.get() === 'sv' ? p[0] : p[1];
}

/** Every code of a table, in table order (for selects). */
export function codeList(table: string): string[] {
  return Object.keys(codes[table] ?? {});
}

// ---- dates and times: Swedish format, Europe/Stockholm ----

export const TZ = 'Europe/Stockholm';

const fmtDateTime = new Intl.DateTimeFormat('sv-SE', {
  timeZone: TZ,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});
const fmtDate = new Intl.DateTimeFormat('sv-SE', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' });
const fmtTime = new Intl.DateTimeFormat('sv-SE', { timeZone: TZ, hour: '2-digit', minute: '2-digit', second: '2-digit' });
const fmtWeekday = {
  sv: new Intl.DateTimeFormat('sv-SE', { timeZone: 'UTC', weekday: 'short' }),
  en: new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'short' }),
};

/** "2024-05-03 10:15" in Stockholm time, from an API instant ("…Z"). */
export function formatInstant(iso: string | null | undefined): string {
  if (!iso) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : fmtDateTime.format(d);
}

/** The local Stockholm date ("2024-05-03") of an API instant. */
export function instantLocalDate(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : fmtDate.format(d);
}

/** "fre 2024-05-03" for an API date ("YYYY-MM-DD"), which has no time zone. */
export function formatDate(date: string | null | undefined, withWeekday = false): string {
  if (!date) return '–';
  if (!withWeekday) return date;
  const d = new Date(date + 'T12:00:00Z');
  return Number.isNaN(d.getTime()) ? date : `${fmtWeekday[lang.get()].format(d)} ${date}`;
}

export function formatClock(d: Date): string {
  return fmtTime.format(d);
}

function parts(d: Date): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of new Intl.DateTimeFormat('sv-SE', {
    timeZone: TZ,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(d))
    out[p.type] = p.value;
  return out;
}

/** Now as a Stockholm wall-clock "YYYY-MM-DDTHH:MM" for <input type="datetime-local">. */
export function nowLocalInput(offsetMinutes = 0): string {
  const p = parts(new Date(Date.now() + offsetMinutes * 60000));
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

/** Today's Stockholm date plus `days`, "YYYY-MM-DD". */
export function todayLocal(days = 0): string {
  const p = parts(new Date());
  const d = new Date(Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day) + days));
  return d.toISOString().slice(0, 10);
}
