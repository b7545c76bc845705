/**
 * The inbox: the conversation list, the open conversation and the customer panel side by side on a
 * laptop; one at a time on a phone (list → conversation → customer, with back links).
 */
import { useState } from 'react';
import { useT } from '../i18n';
import { ConversationList } from './conversation-list';
import { ConversationView } from './conversation-view';

export function InboxPage({ conversationId }: { conversationId?: string | undefined }) {
  const { t } = useT();
  const [showCustomer, setShowCustomer] = useState(false);
  return (
    <div
      className={`inbox ${conversationId ? 'has-selection' : 'no-selection'} ${showCustomer ? 'show-customer' : ''}`}
    >
      <ConversationList selectedId={conversationId} />
      {conversationId ? (
        <ConversationView
          key={conversationId}
          conversationId={conversationId}
          showCustomer={showCustomer}
          onToggleCustomer={() => setShowCustomer((v) => !v)}
        />
      ) : (
        <section className="pane pane-conversation empty-pane" aria-label={t('conv.history')}>
          <p className="muted">{t('inbox.select')}</p>
        </section>
      )}
    </div>
  );
}
