/**
 * One message of the history, every WhatsApp type shown sensibly, with delivery ticks on ours
 * (pending clock, sent ✓, delivered ✓✓, read blue ✓✓, failed with the reason) and the AI's reading
 * (intent, sentiment) on the customer's.
 */
import type { ReactNode } from 'react';
import { formatBytes, formatWhen } from '../format';
import { type MessageKey, useT } from '../i18n';
import { Icon } from '../icons';
import type { Message } from '../trpc';
import { Chip } from '../ui';

type Attachment = Message['attachments'][number];

export function MessageItem({
  message: m,
  senderName,
  now,
}: {
  message: Message;
  senderName: string;
  now: Date;
}) {
  const { t, lang } = useT();
  const outbound = m.direction === 'outbound';
  const isReaction = m.type === 'reaction';
  return (
    <li
      className={`message ${outbound ? 'outbound' : 'inbound'} type-${m.type}${isReaction ? ' reaction-line' : ''}`}
      data-message-id={m.id}
      data-status={m.status}
    >
      <div className="bubble">
        <div className="bubble-sender">
          {senderName}
          {m.isForwarded ? <span className="muted small"> · ↪ {t('msg.forwarded')}</span> : null}
        </div>
        <MessageBody message={m} />
        <div className="bubble-foot">
          {m.aiResponse ? (
            <span className="ai-reading">
              <Chip tone="blue">{t('msg.intent', { intent: m.aiResponse.intent })}</Chip>
              <Chip
                tone={
                  m.aiResponse.sentiment === 'negative'
                    ? 'red'
                    : m.aiResponse.sentiment === 'positive'
                      ? 'green'
                      : 'neutral'
                }
              >
                {t('msg.sentiment', { sentiment: t(`sentiment.${m.aiResponse.sentiment}` as MessageKey) })}
              </Chip>
            </span>
          ) : null}
          <time dateTime={String(m.timestamp)}>{formatWhen(m.timestamp, lang, now)}</time>
          {outbound ? <Ticks status={m.status} error={m.whatsappError} /> : null}
        </div>
      </div>
    </li>
  );
}

export function Ticks({ status, error }: { status: Message['status']; error?: string | undefined }) {
  const { t } = useT();
  switch (status) {
    case 'pending':
      return (
        <span
          className="ticks ticks-pending"
          role="img"
          aria-label={t('msg.status.pending')}
          title={t('msg.status.pending')}
          data-ticks="pending"
        >
          <Icon name="clock" />
        </span>
      );
    case 'sent':
      return (
        <span
          className="ticks ticks-sent"
          role="img"
          aria-label={t('msg.status.sent')}
          title={t('msg.status.sent')}
          data-ticks="sent"
        >
          ✓
        </span>
      );
    case 'delivered':
      return (
        <span
          className="ticks ticks-delivered"
          role="img"
          aria-label={t('msg.status.delivered')}
          title={t('msg.status.delivered')}
          data-ticks="delivered"
        >
          ✓✓
        </span>
      );
    case 'read':
      return (
        <span
          className="ticks ticks-read"
          role="img"
          aria-label={t('msg.status.read')}
          title={t('msg.status.read')}
          data-ticks="read"
        >
          ✓✓
        </span>
      );
    case 'failed':
      return (
        <span className="ticks ticks-failed" data-ticks="failed">
          ⚠ {t('msg.status.failed', { reason: error ?? '—' })}
        </span>
      );
    default:
      return null;
  }
}

/** The server's summary of a message without text (`[audio]`, `[unsupported message]`): not a caption. */
const isPlaceholder = (content: string) => /^\[[\w -]+\]$/.test(content.trim());

function MessageBody({ message: m }: { message: Message }) {
  const { t } = useT();
  const caption = m.content && !isPlaceholder(m.content) ? <p className="text">{m.content}</p> : null;
  switch (m.type) {
    case 'text':
    case 'button':
      return <p className="text">{m.content}</p>;
    case 'image':
    case 'sticker':
    case 'video':
    case 'audio':
    case 'document': {
      const attachment = m.attachments[0];
      return (
        <>
          {attachment ? <Media attachment={attachment} kind={m.type} /> : null}
          {m.type === 'sticker' || !caption || m.content === attachment?.filename ? null : caption}
        </>
      );
    }
    case 'location': {
      const loc = m.location;
      if (!loc) return caption;
      const href = `https://www.openstreetmap.org/?mlat=${loc.latitude}&mlon=${loc.longitude}#map=16/${loc.latitude}/${loc.longitude}`;
      return (
        <div className="location">
          <Icon name="pin" className="location-pin" />
          <div>
            <strong>{loc.name || t('msg.location')}</strong>
            {loc.address ? <div className="small">{loc.address}</div> : null}
            <div className="small muted">
              {loc.latitude.toFixed(5)}, {loc.longitude.toFixed(5)}
            </div>
            <a href={href} target="_blank" rel="noreferrer noopener">
              {t('msg.openMap')} ↗
            </a>
          </div>
        </div>
      );
    }
    case 'contact':
      return (
        <div className="contacts">
          <div className="small muted">
            <Icon name="user" /> {t('msg.contacts')}
          </div>
          {(m.contacts ?? []).map((c) => (
            <div key={`${c.name}-${c.phones.join(',')}`} className="contact-card">
              <strong>{c.name}</strong>
              {c.phones.map((phone) => (
                <a key={phone} href={`tel:${phone}`}>
                  {phone}
                </a>
              ))}
            </div>
          ))}
          {!m.contacts?.length ? caption : null}
        </div>
      );
    case 'interactive': {
      const i = m.interactive;
      if (m.direction === 'inbound') {
        return (
          <p className="text interactive-reply">
            ↩ {t('msg.reply', { title: m.content })}
            {i?.replyId ? <span className="muted small"> ({i.replyId})</span> : null}
          </p>
        );
      }
      return (
        <div className="interactive">
          <p className="text">{i?.body ?? m.content}</p>
          <ul className="interactive-options" aria-label={t('msg.buttons')}>
            {(i?.buttons ?? []).map((b) => (
              <li key={b.id}>{b.title}</li>
            ))}
            {(i?.listItems ?? []).map((row) => (
              <li key={row.id}>
                {row.title}
                {row.description ? <span className="muted small"> — {row.description}</span> : null}
              </li>
            ))}
          </ul>
        </div>
      );
    }
    case 'reaction':
      return (
        <p className="text reaction">
          {m.reaction?.emoji ? t('msg.reaction', { emoji: m.reaction.emoji }) : t('msg.reactionRemoved')}
        </p>
      );
    case 'template':
      return (
        <div className="template">
          <div className="small muted">
            <Icon name="template" />{' '}
            {t('msg.template', { name: m.template?.name ?? '?', language: m.template?.language ?? '?' })}
          </div>
          {m.template?.parameters.length ? (
            <ol className="template-params">
              {m.template.parameters.map((p, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: parameters are positional
                <li key={i}>{p}</li>
              ))}
            </ol>
          ) : null}
          {m.content && m.content !== m.template?.name ? <p className="text">{m.content}</p> : null}
        </div>
      );
    default:
      return (
        <p className="text unsupported">
          ⚠ {t('msg.unsupported')}
          {m.content && !isPlaceholder(m.content) ? (
            <span className="muted small"> — {m.content}</span>
          ) : null}
        </p>
      );
  }
}

const KIND_KEY: Record<string, MessageKey> = {
  image: 'msg.image',
  sticker: 'msg.sticker',
  video: 'msg.video',
  audio: 'msg.audio',
  document: 'msg.document',
};

function Media({ attachment: a, kind }: { attachment: Attachment; kind: string }): ReactNode {
  const { t } = useT();
  const kindLabel = t(KIND_KEY[kind] ?? 'msg.document');
  if (!a.url) {
    return (
      <p className="media-missing">
        <Icon
          name={
            kind === 'document' ? 'file' : kind === 'audio' ? 'mic' : kind === 'video' ? 'video' : 'image'
          }
        />{' '}
        {t('msg.mediaPending', { type: a.filename ?? kindLabel })}
        {a.error ? <span className="muted small"> — {a.error}</span> : null}
      </p>
    );
  }
  switch (kind) {
    case 'image':
    case 'sticker':
      return (
        <a href={a.url} target="_blank" rel="noreferrer noopener" className="thumb-link">
          <img
            className={kind === 'sticker' ? 'sticker' : 'thumb'}
            src={a.thumbnailUrl ?? a.url}
            alt={a.filename ?? kindLabel}
            loading="lazy"
          />
        </a>
      );
    case 'video':
      // biome-ignore lint/a11y/useMediaCaption: customer videos come without captions
      return <video className="thumb" src={a.url} controls preload="metadata" aria-label={kindLabel} />;
    case 'audio':
      // biome-ignore lint/a11y/useMediaCaption: voice notes come without captions
      return <audio src={a.url} controls preload="metadata" aria-label={kindLabel} />;
    default:
      return (
        <a className="document" href={a.url} target="_blank" rel="noreferrer noopener">
          <Icon name="file" className="document-icon" />
          <span>
            <strong>{a.filename ?? kindLabel}</strong>
            <span className="muted small">
              {' '}
              {[a.mimeType, formatBytes(a.size)].filter(Boolean).join(' · ')}
            </span>
          </span>
          <span className="visually-hidden">{t('msg.openFile', { name: a.filename ?? kindLabel })}</span>
        </a>
      );
  }
}
