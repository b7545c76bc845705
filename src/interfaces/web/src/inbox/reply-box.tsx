/**
 * The reply box knows WhatsApp's 24-hour customer-service window: free text inside it (Enter sends,
 * Shift+Enter breaks the line), an approved-template picker outside it with the reason shown. The
 * second tab writes an internal note (always allowed). A send carries an idempotency key, so a
 * retried click never sends twice.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { formatDateTime, formatMinutes, minutesBetween } from '../format';
import { useT } from '../i18n';
import { useSession } from '../session';
import { type Conversation, domainCode, useTRPC } from '../trpc';
import { ErrorNote } from '../ui';

const WINDOW_MS = 24 * 60 * 60 * 1000;

/** Templates offered in the picker: what was sent from this browser before, then a default. */
const TEMPLATE_MEMORY = 'crm.templates';
interface TemplateChoice {
  name: string;
  language: string;
}
function rememberedTemplates(): TemplateChoice[] {
  try {
    const parsed = JSON.parse(localStorage.getItem(TEMPLATE_MEMORY) ?? '[]') as unknown;
    return Array.isArray(parsed)
      ? parsed.filter(
          (x): x is TemplateChoice => typeof x?.name === 'string' && typeof x?.language === 'string',
        )
      : [];
  } catch {
    return [];
  }
}
function rememberTemplate(choice: TemplateChoice): void {
  try {
    const list = [choice, ...rememberedTemplates().filter((x) => x.name !== choice.name)].slice(0, 10);
    localStorage.setItem(TEMPLATE_MEMORY, JSON.stringify(list));
  } catch {
    // nothing to remember
  }
}

export function windowState(conversation: Pick<Conversation, 'lastCustomerMessage'>, now: Date) {
  const last = conversation.lastCustomerMessage ? new Date(conversation.lastCustomerMessage) : undefined;
  const closesAt = last ? new Date(last.getTime() + WINDOW_MS) : undefined;
  return { last, closesAt, open: closesAt !== undefined && now.getTime() < closesAt.getTime() };
}

export function ReplyBox({ conversation, now }: { conversation: Conversation; now: Date }) {
  const { t, lang } = useT();
  const [mode, setMode] = useState<'reply' | 'note'>('reply');
  const [forceTemplate, setForceTemplate] = useState(false);
  const win = windowState(conversation, now);
  const closed = conversation.status === 'closed';
  const useTemplate = !win.open || forceTemplate;
  const tabs = useId();

  return (
    <section className={`composer ${mode === 'note' ? 'composer-note' : ''}`} aria-label={t('reply.label')}>
      <div className="composer-tabs" role="radiogroup" aria-label={t('reply.mode')}>
        {(['reply', 'note'] as const).map((m) => (
          <label key={m} className={mode === m ? 'segment active' : 'segment'}>
            <input type="radio" name={tabs} value={m} checked={mode === m} onChange={() => setMode(m)} />
            {m === 'reply' ? t('reply.modeReply') : t('reply.modeNote')}
          </label>
        ))}
      </div>
      {mode === 'note' ? (
        <NoteForm conversationId={conversation.id} />
      ) : closed ? (
        <p className="muted">{t('reply.closed')}</p>
      ) : useTemplate ? (
        <>
          <p className="window-note window-closed" role="note">
            {win.last
              ? t('reply.windowClosed', { when: formatDateTime(win.last, lang) })
              : t('reply.neverWrote')}
          </p>
          <TemplateForm conversationId={conversation.id} />
        </>
      ) : (
        <>
          <p className="window-note window-open">
            {t('reply.windowOpen', { time: formatMinutes(minutesBetween(now, win.closesAt)) })}
          </p>
          <TextForm conversationId={conversation.id} onWindowClosed={() => setForceTemplate(true)} />
        </>
      )}
    </section>
  );
}

function useSend(conversationId: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return useMutation(
    trpc.messages.send.mutationOptions({
      onSettled: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.messages.list.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.conversations.get.queryKey({ conversationId }) });
        void queryClient.invalidateQueries({ queryKey: trpc.conversations.list.pathKey() });
      },
    }),
  );
}

function TextForm({
  conversationId,
  onWindowClosed,
}: {
  conversationId: string;
  onWindowClosed: () => void;
}) {
  const { t } = useT();
  const send = useSend(conversationId);
  const [text, setText] = useState('');
  const key = useRef<string>(crypto.randomUUID());
  const id = useId();
  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    const content = text.trim();
    if (!content || send.isPending) return;
    send.mutate(
      { conversationId, message: { type: 'text', content }, idempotencyKey: key.current },
      {
        onSuccess: () => {
          setText('');
          key.current = crypto.randomUUID();
        },
        onError: (error) => {
          if (domainCode(error) === 'MESSAGE.WINDOW_CLOSED') onWindowClosed();
        },
      },
    );
  };
  return (
    <form className="reply-form" onSubmit={submit}>
      <label htmlFor={id} className="visually-hidden">
        {t('reply.label')}
      </label>
      <textarea
        id={id}
        rows={2}
        value={text}
        maxLength={4096}
        placeholder={t('reply.placeholder')}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            submit();
          }
        }}
      />
      <button type="submit" className="primary" disabled={!text.trim() || send.isPending}>
        {send.isPending ? t('reply.sending') : t('reply.send')}
      </button>
      <ErrorNote error={send.error} />
    </form>
  );
}

function TemplateForm({ conversationId }: { conversationId: string }) {
  const { t, lang } = useT();
  const send = useSend(conversationId);
  const [choices] = useState(() => {
    const remembered = rememberedTemplates();
    const defaults: TemplateChoice[] = [{ name: 'hello_world', language: 'en_US' }];
    return [...remembered, ...defaults.filter((d) => !remembered.some((r) => r.name === d.name))];
  });
  const [name, setName] = useState(choices[0]?.name ?? '');
  const [language, setLanguage] = useState(choices[0]?.language ?? (lang === 'en' ? 'en_US' : 'es_MX'));
  const [params, setParams] = useState('');
  const key = useRef<string>(crypto.randomUUID());
  const ids = { name: useId(), language: useId(), params: useId(), list: useId() };
  useEffect(() => {
    const known = choices.find((c) => c.name === name);
    if (known) setLanguage(known.language);
  }, [name, choices]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const parameters = params
      .split('\n')
      .map((p) => p.trim())
      .filter(Boolean);
    send.mutate(
      {
        conversationId,
        message: { type: 'template', template: { name: name.trim(), language: language.trim(), parameters } },
        idempotencyKey: key.current,
      },
      {
        onSuccess: () => {
          rememberTemplate({ name: name.trim(), language: language.trim() });
          setParams('');
          key.current = crypto.randomUUID();
        },
      },
    );
  };
  return (
    <form className="template-form" onSubmit={submit} aria-label={t('reply.template')}>
      <div className="field">
        <label htmlFor={ids.name}>{t('reply.templateName')}</label>
        <input
          id={ids.name}
          list={ids.list}
          required
          maxLength={512}
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <datalist id={ids.list}>
          {choices.map((c) => (
            <option key={c.name} value={c.name}>
              {c.language}
            </option>
          ))}
        </datalist>
      </div>
      <div className="field field-small">
        <label htmlFor={ids.language}>{t('reply.templateLanguage')}</label>
        <input
          id={ids.language}
          required
          maxLength={20}
          value={language}
          onChange={(e) => setLanguage(e.target.value)}
        />
      </div>
      <div className="field field-wide">
        <label htmlFor={ids.params}>{t('reply.templateParams')}</label>
        <textarea id={ids.params} rows={2} value={params} onChange={(e) => setParams(e.target.value)} />
      </div>
      <button type="submit" className="primary" disabled={send.isPending || !name.trim()}>
        {t('reply.sendTemplate')}
      </button>
      <ErrorNote error={send.error} />
    </form>
  );
}

function NoteForm({ conversationId }: { conversationId: string }) {
  const { t } = useT();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { can } = useSession();
  const [text, setText] = useState('');
  const id = useId();
  const add = useMutation(
    trpc.conversations.addNote.mutationOptions({
      onSuccess: () => {
        setText('');
        void queryClient.invalidateQueries({ queryKey: trpc.conversations.get.queryKey({ conversationId }) });
      },
    }),
  );
  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    if (!text.trim() || add.isPending) return;
    add.mutate({ conversationId, content: text.trim() });
  };
  return (
    <form className="reply-form" onSubmit={submit}>
      <label htmlFor={id} className="visually-hidden">
        {t('reply.noteLabel')}
      </label>
      <textarea
        id={id}
        rows={2}
        value={text}
        placeholder={t('reply.noteLabel')}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            submit();
          }
        }}
      />
      <button type="submit" disabled={!text.trim() || add.isPending || !can('write:messages')}>
        {t('conv.addNote')}
      </button>
      <ErrorNote error={add.error} />
    </form>
  );
}
