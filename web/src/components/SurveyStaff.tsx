// SurveyStaff.tsx - the patient survey on the episode page of a discharged
// patient, for the staff who are parties to the episode (the API checks both:
// POST /api/v1/episodes/{id}/survey-invitations and .../survey-answers answer
// 403/404 otherwise, and 409 before the discharge).
// - "Skapa enkätlänk" makes a single-use link valid 30 days. The token is shown
//   once (the server keeps only its hash), so the page shows the whole address
//   to copy into a text message or letter, and says when it expires.
// - "Registrera svar från telefonsamtal" records the answers given on the phone;
//   a second answer for the episode is refused (409 already_answered).
// The episode's `survey` status (GET /api/v1/episodes/{id}) says whether it is
// answered (then the buttons go: one answer per episode) and whether a link is
// open; never the replies, which are shown only as totals in the follow-up.
import { useState } from 'preact/hooks';
import { ApiError, request, type SurveyStatus } from '../api';
import { formatInstant, t } from '../i18n';
import type { SurveyInvitation as Invitation } from '../openapi.gen';
import { errorMessage } from './fields';
import { answerBody, emptyAnswers, localQuestions, SurveyForm, type SurveyAnswers } from './SurveyForm';


export function SurveyStaff(p: { episodeId: number; status?: SurveyStatus }) {
  const [link, setLink] = useState<Invitation | null>(null);
  const [linkBusy, setLinkBusy] = useState(false);
  const [linkError, setLinkError] = useState<unknown>(null);
  const [copied, setCopied] = useState('');
  const [phoneOpen, setPhoneOpen] = useState(false);
  const [answers, setAnswers] = useState<SurveyAnswers>(emptyAnswers());
  const [phoneBusy, setPhoneBusy] = useState(false);
  const [phoneError, setPhoneError] = useState<unknown>(null);
  const [phoneDone, setPhoneDone] = useState('');
  const publicUrl = link ? `${location.origin}/survey/${link.token}` : '';

  const makeLink = async () => {
    if (linkBusy) return;
    setLinkBusy(true);
    setLinkError(null);
    setCopied('');
    try {
      const r = await request<Invitation>('POST', `/api/v1/episodes/${p.episodeId}/survey-invitations`, { body: {} });
      setLink(r.data);
    } catch (e) {
      setLinkError(e);
    } finally {
      setLinkBusy(false);
    }
  };

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(publicUrl);
      setCopied(t('survey_copied'));
    } catch {
      const el = document.getElementById('survey-link-url') as HTMLInputElement | null;
      el?.select();
      setCopied(t('survey_copy_manual'));
    }
  };

  const sendPhone = async () => {
    if (phoneBusy) return;
    setPhoneError(null);
    let body: Record<string, unknown>;
    try {
      body = answerBody(answers);
    } catch (e) {
      setPhoneError(e);
      return;
    }
    setPhoneBusy(true);
    try {
      await request('POST', `/api/v1/episodes/${p.episodeId}/survey-answers`, { body });
      setPhoneOpen(false);
      setAnswers(emptyAnswers());
      setPhoneDone(t('survey_phone_saved'));
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        setPhoneOpen(false);
        setPhoneDone(errorMessage(e));
      } else setPhoneError(e);
    } finally {
      setPhoneBusy(false);
    }
  };

  return (
    <section class="card survey-staff" aria-labelledby="survey-h" data-testid="survey-staff">
      <h2 id="survey-h">{t('survey_staff_title')}</h2>
      <p class="meta">{t('survey_staff_intro')}</p>
      {p.status?.answered_at ? (
        <p class="meta" data-testid="survey-answered">
          {t('survey_answered')
            .replace('{at}', formatInstant(p.status.answered_at))
            .replace('{channel}', t(p.status.channel === 'link' ? 'survey_channel_link' : 'survey_channel_phone'))
            .replace('{respondent}', t(p.status.respondent === 'next_of_kin' ? 'survey_resp_kin_staff' : 'survey_resp_patient_staff'))}
        </p>
      ) : null}
      {!p.status?.answered_at && p.status?.open_invitations && p.status.last_expires_at ? (
        <p class="meta" data-testid="survey-open-link">
          {t('survey_open_link').replace('{at}', formatInstant(p.status.last_expires_at))}
        </p>
      ) : null}
      {p.status?.answered_at ? null : (
      <div class="action-buttons">
        <button type="button" class="btn" data-action="survey-link" disabled={linkBusy} onClick={makeLink}>
          {linkBusy ? t('saving') : t('survey_make_link')}
        </button>
        <button
          type="button"
          class={'btn' + (phoneOpen ? ' btn-active' : '')}
          data-action="survey-phone"
          aria-expanded={phoneOpen ? 'true' : 'false'}
          aria-controls="survey-phone-panel"
          onClick={() => {
            setPhoneOpen(!phoneOpen);
            setPhoneDone('');
          }}
        >
          {t('survey_phone')}
        </button>
      </div>
      )}
      {linkError ? (
        <p class="field-error" role="alert">
          {errorMessage(linkError)}
        </p>
      ) : null}
      {link ? (
        <div class="survey-link" data-testid="survey-link">
          <div class="field">
            <label for="survey-link-url">{t('survey_link_label')}</label>
            <input id="survey-link-url" type="text" readOnly value={publicUrl} aria-describedby="survey-link-hint" />
            <p class="hint" id="survey-link-hint">
              {t('survey_link_hint').replace('{at}', formatInstant(link.expires_at))}
            </p>
          </div>
          <button type="button" class="btn btn-small" onClick={copy}>
            {t('survey_copy')}
          </button>{' '}
          <span role="status" class="meta">
            {copied}
          </span>
        </div>
      ) : null}
      <p role="status" class="meta" data-testid="survey-phone-status">
        {phoneDone}
      </p>
      <div id="survey-phone-panel">
        {phoneOpen ? (
          <SurveyForm
            id="survey-phone"
            questions={localQuestions()}
            respondents={['patient', 'next_of_kin']}
            respondentLabels={{ patient: t('survey_resp_patient_staff'), next_of_kin: t('survey_resp_kin_staff') }}
            value={answers}
            onChange={setAnswers}
            error={phoneError}
            busy={phoneBusy}
            submitLabel={t('survey_phone_save')}
            onSubmit={sendPhone}
            onCancel={() => setPhoneOpen(false)}
          />
        ) : null}
      </div>
    </section>
  );
}
