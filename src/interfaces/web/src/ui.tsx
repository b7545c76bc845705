/** Small shared pieces: error notes, chips, a modal dialog, toasts. */
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
} from 'react';
import { initials } from './format';
import { useT } from './i18n';
import { domainCode, errorMessage } from './trpc';

export function ErrorNote({ error }: { error: unknown }) {
  const { t } = useT();
  if (!error) return null;
  const code = domainCode(error);
  const message = code === 'MESSAGE.WINDOW_CLOSED' ? t('error.WINDOW_CLOSED') : errorMessage(error);
  return (
    <p className="error" role="alert">
      {t('common.error', { message })}
    </p>
  );
}

export function Loading() {
  const { t } = useT();
  return (
    <p className="muted" aria-busy="true">
      {t('common.loading')}
    </p>
  );
}

export function Chip({
  children,
  tone = 'neutral',
  title,
}: {
  children: ReactNode;
  tone?: 'neutral' | 'green' | 'amber' | 'red' | 'blue' | 'purple';
  title?: string;
}) {
  return (
    <span className={`chip chip-${tone}`} title={title}>
      {children}
    </span>
  );
}

export function Avatar({ name, small }: { name: string; small?: boolean }) {
  return (
    <span className={small ? 'avatar avatar-small' : 'avatar'} aria-hidden="true">
      {initials(name)}
    </span>
  );
}

export const PRIORITY_TONE: Record<string, 'neutral' | 'blue' | 'amber' | 'red'> = {
  low: 'neutral',
  medium: 'blue',
  high: 'amber',
  urgent: 'red',
};

/** A modal `<dialog>`: focus moves in, Escape closes, focus returns to the opener. */
export function Dialog({
  open,
  onClose,
  title,
  children,
}: {
  open: boolean;
  onClose: () => void;
  title: string;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} aria-labelledby={titleId} onClose={onClose} className="dialog">
      <div className="dialog-head">
        <h2 id={titleId}>{title}</h2>
        <CloseButton onClick={onClose} />
      </div>
      {open ? children : null}
    </dialog>
  );
}

function CloseButton({ onClick }: { onClick: () => void }) {
  const { t } = useT();
  return (
    <button type="button" className="icon-button" onClick={onClick} aria-label={t('common.close')}>
      ×
    </button>
  );
}

interface Toast {
  id: number;
  text: string;
  tone: 'info' | 'error';
}

const ToastContext = createContext<(text: string, tone?: Toast['tone']) => void>(() => {});

export function ToastProvider({ children }: { children: ReactNode }) {
  const { t } = useT();
  const [toasts, setToasts] = useState<Toast[]>([]);
  const next = useRef(1);
  const push = useCallback((text: string, tone: Toast['tone'] = 'info') => {
    const id = next.current++;
    // The same alert again (a burst of messages from one customer) replaces the earlier one.
    setToasts((list) => [...list.filter((x) => x.text !== text).slice(-2), { id, text, tone }]);
    setTimeout(() => setToasts((list) => list.filter((x) => x.id !== id)), 7_000);
  }, []);
  const value = useMemo(() => push, [push]);
  return (
    <ToastContext.Provider value={value}>
      {children}
      <div className="toasts" role="status" aria-live="polite">
        {toasts.map((toast) => (
          <div key={toast.id} className={`toast toast-${toast.tone}`}>
            <span>{toast.text}</span>
            <button
              type="button"
              className="toast-close"
              aria-label={t('common.dismiss')}
              onClick={() => setToasts((list) => list.filter((x) => x.id !== toast.id))}
            >
              ×
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export function useToast() {
  return useContext(ToastContext);
}

/** A list of tags with a remove button each and an input to add one (Enter adds). */
export function TagEditor({
  tags,
  onChange,
  disabled,
  label,
}: {
  tags: string[];
  onChange: (tags: string[]) => void;
  disabled?: boolean;
  label: string;
}) {
  const { t } = useT();
  const [draft, setDraft] = useState('');
  const inputId = useId();
  const add = () => {
    const tag = draft.trim();
    if (!tag || tags.includes(tag)) return setDraft('');
    onChange([...tags, tag]);
    setDraft('');
  };
  return (
    <div className="tag-editor">
      <ul className="tags" aria-label={label}>
        {tags.map((tag) => (
          <li key={tag} className="chip chip-purple">
            {tag}
            {disabled ? null : (
              <button
                type="button"
                className="chip-remove"
                aria-label={t('common.remove', { name: tag })}
                onClick={() => onChange(tags.filter((x) => x !== tag))}
              >
                ×
              </button>
            )}
          </li>
        ))}
      </ul>
      {disabled ? null : (
        <div className="inline-form">
          <label htmlFor={inputId} className="visually-hidden">
            {t('common.newTag')} ({label})
          </label>
          <input
            id={inputId}
            value={draft}
            maxLength={50}
            placeholder={t('common.newTag')}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                add();
              }
            }}
          />
          <button type="button" onClick={add} disabled={!draft.trim()}>
            {t('common.add')}
          </button>
        </div>
      )}
    </div>
  );
}

/** A tick that re-renders every `ms` (SLA badges, the 24-hour window). */
export function useNow(ms = 30_000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}
