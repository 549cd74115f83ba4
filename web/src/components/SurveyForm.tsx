// SurveyForm.tsx - the patient survey's questions (docs/indicators.md, "The
// patient survey"): who answers, four yes/no questions and a free text. Used by
// the public page a patient opens from a single-use link and by staff who
// record the answers of a phone call on the episode page. Every question may be
// left unanswered ("vill inte svara"), but at least one must be answered, as
// the core's survey_validate requires. The body it builds is the API's:
// {respondent, felt_safe: true|false|null, ..., comment}.
import { ApiError } from '../api';
import { SURVEY_QUESTIONS, type SurveyQuestion } from '../followup';
import { lang, t } from '../i18n';
import { errorFor, FormShell, TextArea } from './fields';

export interface SurveyAnswers {
  respondent: string;
  replies: Record<string, boolean | null>;
  comment: string;
}

export const emptyAnswers = (): SurveyAnswers => ({
  respondent: 'patient',
  replies: Object.fromEntries(SURVEY_QUESTIONS.map((q) => [q, null])),
  comment: '',
});

/** The questions as the UI knows them (the same texts as the core's), for the staff form. */
export function localQuestions(): SurveyQuestion[] {
  return SURVEY_QUESTIONS.map((code) => ({
    code,
    sv: t(`survey_q_${code}` as 'survey_q_felt_safe'),
    en: t(`survey_q_${code}` as 'survey_q_felt_safe'),
    answer: 'yes_no' as const,
  }));
}

/** The request body; an ApiError naming "answers" when nothing is answered (checked before sending). */
export function answerBody(a: SurveyAnswers): Record<string, unknown> {
  if (!Object.values(a.replies).some((v) => v !== null))
    throw new ApiError({ status: 400, code: 'validation', detail: t('survey_answer_one'), field: 'answers' });
  const body: Record<string, unknown> = { respondent: a.respondent, ...a.replies };
  if (a.comment.trim()) body.comment = a.comment.trim();
  return body;
}

function Choice(p: { form: string; name: string; value: string; label: string; checked: boolean; onPick: () => void }) {
  const id = `${p.form}-${p.name}-${p.value}`;
  return (
    <span class="choice">
      <input type="radio" id={id} name={`${p.form}-${p.name}`} value={p.value} checked={p.checked} onChange={p.onPick} />
      <label for={id}>{p.label}</label>
    </span>
  );
}

export function SurveyForm(p: {
  id: string;
  questions: SurveyQuestion[];
  respondents: string[];
  value: SurveyAnswers;
  onChange: (a: SurveyAnswers) => void;
  error: unknown;
  busy: boolean;
  submitLabel: string;
  onSubmit: () => void;
  onCancel?: () => void;
  respondentLabels: Record<string, string>;
}) {
  const a = p.value;
  const set = (patch: Partial<SurveyAnswers>) => p.onChange({ ...a, ...patch });
  const yesNo = p.questions.filter((q) => q.answer === 'yes_no');
  const text = p.questions.find((q) => q.answer === 'text');
  const qText = (q: SurveyQuestion) => (lang.get() === 'sv' ? q.sv : q.en);
  return (
    <FormShell
      id={p.id}
      fields={['respondent', 'comment', ...yesNo.map((q) => q.code)]}
      error={p.error}
      busy={p.busy}
      submitLabel={p.submitLabel}
      onSubmit={p.onSubmit}
      onCancel={p.onCancel}
    >
      <fieldset class="survey-q" data-question="respondent">
        <legend>{t('survey_respondent')}</legend>
        <div class="choices">
          {p.respondents.map((r) => (
            <Choice
              key={r}
              form={p.id}
              name="respondent"
              value={r}
              label={p.respondentLabels[r] ?? r}
              checked={a.respondent === r}
              onPick={() => set({ respondent: r })}
            />
          ))}
        </div>
      </fieldset>
      {yesNo.map((q) => {
        const msg = errorFor(p.error, q.code);
        const v = a.replies[q.code] ?? null;
        const pick = (x: boolean | null) => set({ replies: { ...a.replies, [q.code]: x } });
        return (
          <fieldset
            key={q.code}
            class={'survey-q' + (msg ? ' field-invalid' : '')}
            data-question={q.code}
            aria-describedby={msg ? `${p.id}-${q.code}-err` : undefined}
          >
            <legend>{qText(q)}</legend>
            <div class="choices">
              <Choice form={p.id} name={q.code} value="yes" label={t('yes')} checked={v === true} onPick={() => pick(true)} />
              <Choice form={p.id} name={q.code} value="no" label={t('no')} checked={v === false} onPick={() => pick(false)} />
              <Choice
                form={p.id}
                name={q.code}
                value="skip"
                label={t('survey_skip')}
                checked={v === null}
                onPick={() => pick(null)}
              />
            </div>
            {msg ? (
              <p class="field-error" id={`${p.id}-${q.code}-err`}>
                {msg}
              </p>
            ) : null}
          </fieldset>
        );
      })}
      <TextArea
        form={p.id}
        name="comment"
        label={text ? qText(text) : t('survey_comment')}
        hint={t('survey_comment_hint')}
        value={a.comment}
        onValue={(v) => set({ comment: v })}
        maxLength={1000}
        error={p.error}
      />
    </FormShell>
  );
}
