/** Display helpers: dates, durations, names. The API sends dates as ISO strings. */
import type { Lang } from './i18n';

type DateLike = string | Date | number | undefined | null;

const toDate = (value: DateLike): Date | undefined => {
  if (value === undefined || value === null) return undefined;
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
};

const locale = (lang: Lang) => (lang === 'en' ? 'en-GB' : 'es-MX');

/** "14:05" today, "3 ene 14:05" this year, "3 ene 2025" before. */
export function formatWhen(value: DateLike, lang: Lang, now = new Date()): string {
  const d = toDate(value);
  if (!d) return '';
  const sameDay = d.toDateString() === now.toDateString();
  const sameYear = d.getFullYear() === now.getFullYear();
  const opts: Intl.DateTimeFormatOptions = sameDay
    ? { hour: '2-digit', minute: '2-digit' }
    : sameYear
      ? { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }
      : { day: 'numeric', month: 'short', year: 'numeric' };
  return new Intl.DateTimeFormat(locale(lang), opts).format(d);
}

export function formatDateTime(value: DateLike, lang: Lang): string {
  const d = toDate(value);
  return d
    ? new Intl.DateTimeFormat(locale(lang), { dateStyle: 'medium', timeStyle: 'short' }).format(d)
    : '';
}

export function formatDate(value: DateLike, lang: Lang): string {
  const d = toDate(value);
  return d ? new Intl.DateTimeFormat(locale(lang), { dateStyle: 'medium' }).format(d) : '';
}

/** Whole minutes as "3 d 4 h", "2 h 05 min", "45 min" (absolute value). */
export function formatMinutes(minutes: number): string {
  const m = Math.max(0, Math.round(Math.abs(minutes)));
  if (m >= 1440) {
    const days = Math.floor(m / 1440);
    const hours = Math.floor((m % 1440) / 60);
    return hours ? `${days} d ${hours} h` : `${days} d`;
  }
  if (m >= 60) {
    const hours = Math.floor(m / 60);
    const rest = m % 60;
    return rest ? `${hours} h ${String(rest).padStart(2, '0')} min` : `${hours} h`;
  }
  return `${m} min`;
}

export function minutesBetween(from: DateLike, to: DateLike): number {
  const a = toDate(from);
  const b = toDate(to);
  return a && b ? (b.getTime() - a.getTime()) / 60_000 : 0;
}

export function timeOf(value: DateLike): number {
  return toDate(value)?.getTime() ?? 0;
}

export function customerName(
  c: { firstName?: string; lastName?: string; phoneNumber?: string } | undefined,
): string {
  if (!c) return '…';
  const name = [c.firstName, c.lastName].filter(Boolean).join(' ').trim();
  return name || c.phoneNumber || '…';
}

export function personName(a: { firstName: string; lastName: string } | undefined): string {
  return a ? `${a.firstName} ${a.lastName}`.trim() : '…';
}

export function initials(name: string): string {
  const parts = name
    .replace(/[^\p{L}\p{N} ]/gu, '')
    .split(/\s+/)
    .filter(Boolean);
  return ((parts[0]?.[0] ?? '') + (parts[1]?.[0] ?? '')).toUpperCase() || '#';
}

export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return '';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
