// Survey.tsx - the page a patient (or next of kin) opens from a single-use
// survey link: /survey/{token}. It needs no login and shows no patient data:
// the API (GET /api/v1/survey/{token}) gives only the questions. One answer is
// accepted (POST); after that, or once the link has expired (30 days), the API
// answers 410 and the page says so plainly. An unknown token is a 404: "the
// link does not exist", with the hint to check that the whole address came along.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, request } from '../api';
import { Loading } from '../components/common';
import { errorMessage } from '../components/fields';
import { answerBody, emptyAnswers, SurveyForm, type SurveyAnswers } from '../components/SurveyForm';
import type { SurveyForm as Questions } from '../followup';
import { t } from '../i18n';

type State = 'loading' | 'open' | 'done' | 'closed' | 'missing' | 'failed';

export function SurveyPage(p: { token: string }) {
  const [state, setState] = useState<State>('loading');
  const [form, setForm] = useState<Questions | null>(null);
  const [answers, setAnswers] = useState<SurveyAnswers>(emptyAnswers());
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const url = `/api/v1/survey/${encodeURIComponent(p.token)}`;
  const heading = useRef<HTMLHeadingElement>(null);

  const fail = (e: unknown) => {
    if (e instanceof ApiError && e.status === 410) setState('closed');
    else if (e instanceof ApiError && e.status === 404) setState('missing');
    else return false;
    return true;
  };

  useEffect(() => {
    request<Questions>('GET', url)
      .then((r) => {
        setForm(r.data);
        setState('open');
      })
      .catch((e) => {
        if (!fail(e)) {
          setError(e);
          setState('failed');
        }
      });
  }, [url]);

  useEffect(() => {
    if (state !== 'loading' && state !== 'open') heading.current?.focus();
  }, [state]);

  const submit = async () => {
    if (busy) return;
    setError(null);
    let body: Record<string, unknown>;
    try {
      body = answerBody(answers);
    } catch (e) {
      setError(e);
      return;
    }
    setBusy(true);
    try {
      await request('POST', url, { body });
      setState('done');
    } catch (e) {
      if (!fail(e)) setError(e);
    } finally {
      setBusy(false);
    }
  };

  const end = (title: string, text: string) => (
    <div class="card survey-end" data-testid={`survey-${state}`}>
      <h1 tabIndex={-1} ref={heading}>
        {title}
      </h1>
      <p>{text}</p>
    </div>
  );

  return (
    <div class="survey narrow" data-testid="survey-page">
      {state === 'loading' ? (
        <Loading />
      ) : state === 'done' ? (
        end(t('survey_thanks_title'), t('survey_thanks'))
      ) : state === 'closed' ? (
        end(t('survey_closed_title'), t('survey_closed'))
      ) : state === 'missing' ? (
        end(t('survey_missing_title'), t('survey_missing'))
      ) : state === 'failed' ? (
        end(t('error_generic'), errorMessage(error))
      ) : (
        <div class="card" data-testid="survey-open">
          <h1 tabIndex={-1}>{t('survey_title')}</h1>
          <p>{t('survey_intro')}</p>
          <p class="meta">{t('survey_privacy')}</p>
          <SurveyForm
            id="survey"
            questions={form?.questions ?? []}
            respondents={form?.respondents ?? ['patient', 'next_of_kin']}
            respondentLabels={{ patient: t('survey_resp_patient'), next_of_kin: t('survey_resp_kin') }}
            value={answers}
            onChange={setAnswers}
            error={error}
            busy={busy}
            submitLabel={t('survey_send')}
            onSubmit={submit}
          />
        </div>
      )}
    </div>
  );
}
