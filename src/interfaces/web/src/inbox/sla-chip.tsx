import { formatMinutes } from '../format';
import { useT } from '../i18n';
import { Icon } from '../icons';
import { conversationSla, type SlaConfig } from '../sla';
import { Chip } from '../ui';

/** "SLA 3 h 20 min" (green, amber when due soon) or "SLA breached 15 min ago" (red). */
export function SlaChip({
  conversation,
  segment,
  config,
  now,
}: {
  conversation: { status: string; priority: string; awaitingResponseSince?: string | undefined };
  segment: string | undefined;
  config: SlaConfig;
  now: Date;
}) {
  const { t } = useT();
  const sla = conversationSla(conversation, segment, config, now);
  if (!sla) return null;
  const title = t('sla.leftTitle', { target: formatMinutes(sla.targetMinutes) });
  if (sla.state === 'breached') {
    return (
      <Chip tone="red" title={title}>
        <span className="sla" data-sla="breached">
          <Icon name="clock" /> {t('sla.breached', { time: formatMinutes(-sla.minutesLeft) })}
        </span>
      </Chip>
    );
  }
  return (
    <Chip tone={sla.state === 'warning' ? 'amber' : 'green'} title={title}>
      <span className="sla" data-sla={sla.state}>
        <Icon name="clock" /> {t('sla.left', { time: formatMinutes(sla.minutesLeft) })}
      </span>
    </Chip>
  );
}
