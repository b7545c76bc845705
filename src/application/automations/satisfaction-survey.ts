/** The 1-5 satisfaction survey: what is sent, and how an answer is recognised. */
import type { OutboundPayload } from '../messages/send-message.js';

/** Row / button ids of the survey: `csat:1` … `csat:5`. */
export const SURVEY_REPLY_PREFIX = 'csat:';
/** The approved WhatsApp template sent when the 24-hour window is closed (no parameters). */
export const SURVEY_TEMPLATE = { name: 'satisfaction_survey', language: 'es' } as const;

const RATING_LABELS = ['Muy malo', 'Malo', 'Regular', 'Bueno', 'Excelente'] as const;

/**
 * Inside the window: an interactive LIST (WhatsApp allows at most 3 reply buttons, a list up to 10
 * rows) with one row per rating, 5 first.
 */
export function surveyListMessage(): OutboundPayload {
  return {
    type: 'interactive',
    content: '¿Cómo calificarías la atención que recibiste? Elige una opción del 1 al 5.',
    interactive: {
      type: 'list',
      body: '¿Cómo calificarías la atención que recibiste? Elige una opción del 1 al 5.',
      listItems: [5, 4, 3, 2, 1].map((rating) => ({
        id: `${SURVEY_REPLY_PREFIX}${rating}`,
        title: `${'★'.repeat(rating)} ${rating}`,
        description: RATING_LABELS[rating - 1],
      })),
    },
  };
}

/** Outside the window: the `satisfaction_survey` template (its quick replies answer with 1-5). */
export function surveyTemplateMessage(): OutboundPayload {
  return {
    type: 'template',
    content: 'Encuesta de satisfacción',
    template: { name: SURVEY_TEMPLATE.name, language: SURVEY_TEMPLATE.language, parameters: [] },
  };
}

/**
 * The rating an inbound message gives, if it answers the survey: an interactive list/button reply
 * whose id is `csat:N`, or a template quick-reply (`button`) whose text is the rating (`5`, `5 ★`).
 */
export function surveyRating(message: {
  type: string;
  content: string;
  interactive?: { replyId?: string };
}): number | undefined {
  const replyId = message.interactive?.replyId;
  const raw =
    message.type === 'interactive' && replyId?.startsWith(SURVEY_REPLY_PREFIX)
      ? replyId.slice(SURVEY_REPLY_PREFIX.length)
      : message.type === 'button'
        ? (/^\s*([1-5])(?:\s|★|$)/.exec(message.content)?.[1] ?? '')
        : '';
  if (!/^[1-5]$/.test(raw)) return undefined;
  return Number(raw);
}
