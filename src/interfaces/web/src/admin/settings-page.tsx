/**
 * Admins: business hours, SLA targets, assignment and the AI assistant; the remaining editable
 * settings as JSON. Needs system:admin. Each section saves its own settings; the server validates.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useId, useState } from 'react';
import { type MessageKey, useT } from '../i18n';
import { type Outputs, useTRPC } from '../trpc';
import { ErrorNote, Loading, useToast } from '../ui';

type SettingView = Outputs['settings']['list'][number];
type DayHours = { start: string; end: string; enabled: boolean };
const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
type Hours = Record<(typeof DAYS)[number], DayHours>;
const LEVELS = ['standard', 'priority', 'vip'] as const;
const PRIORITIES = ['urgent', 'high', 'medium', 'low'] as const;
type Targets = Record<
  (typeof LEVELS)[number],
  Record<(typeof PRIORITIES)[number], { firstResponse: number; resolution: number }>
>;

const SECTION_KEYS = new Set([
  'business_hours',
  'business_timezone',
  'sla_targets',
  'sla_warning_lead_minutes',
  'auto_assignment_enabled',
  'max_conversations_per_agent',
  'ai_response_enabled',
  'ai_response_hours',
  'ai_model',
  'ai_instructions',
  'ai_handoff_confidence_threshold',
]);

export function SettingsPage() {
  const { t } = useT();
  const trpc = useTRPC();
  const list = useQuery(trpc.settings.list.queryOptions());
  if (list.error) return <ErrorNote error={list.error} />;
  if (!list.data) return <Loading />;
  const byKey = new Map(list.data.map((s) => [s.key as string, s]));
  const value = (key: string) => byKey.get(key)?.value;
  return (
    <section className="page settings" aria-labelledby="settings-title">
      <h1 id="settings-title">{t('settings.title')}</h1>
      <BusinessHoursSection
        hours={value('business_hours') as Hours}
        timezone={String(value('business_timezone'))}
      />
      <SlaSection
        targets={value('sla_targets') as Targets}
        lead={Number(value('sla_warning_lead_minutes'))}
      />
      <AssignmentSection
        enabled={Boolean(value('auto_assignment_enabled'))}
        max={Number(value('max_conversations_per_agent'))}
      />
      <AiSection
        enabled={Boolean(value('ai_response_enabled'))}
        hours={String(value('ai_response_hours'))}
        model={String(value('ai_model'))}
        instructions={String(value('ai_instructions'))}
        threshold={Number(value('ai_handoff_confidence_threshold'))}
      />
      <OtherSettings settings={list.data.filter((s) => s.isEditable && !SECTION_KEYS.has(s.key))} />
    </section>
  );
}

/** Saves several settings one after the other; the first refusal stops and is shown. */
function useSaveSettings() {
  const { t } = useT();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const set = useMutation(trpc.settings.set.mutationOptions());
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const save = async (values: Record<string, unknown>) => {
    setError(null);
    setSaving(true);
    try {
      for (const [key, value] of Object.entries(values)) await set.mutateAsync({ key, value });
      toast(t('common.saved'));
    } catch (e) {
      setError(e);
    } finally {
      setSaving(false);
      void queryClient.invalidateQueries({ queryKey: trpc.settings.pathKey() });
    }
  };
  return { save, error, saving };
}

function Section({
  title,
  onSubmit,
  children,
  error,
  saving,
}: {
  title: MessageKey;
  onSubmit: () => void;
  children: ReactNode;
  error: unknown;
  saving: boolean;
}) {
  const { t } = useT();
  const id = useId();
  return (
    <form
      className="card settings-section"
      aria-labelledby={id}
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      <h2 id={id}>{t(title)}</h2>
      {children}
      <ErrorNote error={error} />
      <button type="submit" className="primary" disabled={saving}>
        {t('common.save')}
      </button>
    </form>
  );
}

function BusinessHoursSection({ hours, timezone }: { hours: Hours; timezone: string }) {
  const { t } = useT();
  const [draft, setDraft] = useState<Hours>(hours);
  const [tz, setTz] = useState(timezone);
  const { save, error, saving } = useSaveSettings();
  const tzId = useId();
  const setDay = (day: (typeof DAYS)[number], patch: Partial<DayHours>) =>
    setDraft((d) => ({ ...d, [day]: { ...d[day], ...patch } }));
  return (
    <Section
      title="settings.businessHours"
      error={error}
      saving={saving}
      onSubmit={() => void save({ business_hours: draft, business_timezone: tz.trim() })}
    >
      <div className="field">
        <label htmlFor={tzId}>{t('settings.timezone')}</label>
        <input id={tzId} value={tz} onChange={(e) => setTz(e.target.value)} />
      </div>
      <div className="table-wrap">
        <table className="table compact">
          <thead>
            <tr>
              <th scope="col">{t('settings.day')}</th>
              <th scope="col">{t('settings.open')}</th>
              <th scope="col">{t('settings.start')}</th>
              <th scope="col">{t('settings.end')}</th>
            </tr>
          </thead>
          <tbody>
            {DAYS.map((day) => (
              <tr key={day}>
                <th scope="row">{t(`day.${day}`)}</th>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`${t('settings.open')} · ${t(`day.${day}`)}`}
                    checked={draft[day].enabled}
                    onChange={(e) => setDay(day, { enabled: e.target.checked })}
                  />
                </td>
                <td>
                  <input
                    type="text"
                    pattern="([01]\d|2[0-3]):[0-5]\d"
                    inputMode="numeric"
                    aria-label={`${t('settings.start')} · ${t(`day.${day}`)}`}
                    value={draft[day].start}
                    onChange={(e) => setDay(day, { start: e.target.value })}
                  />
                </td>
                <td>
                  <input
                    type="text"
                    pattern="([01]\d|2[0-3]):[0-5]\d|24:00"
                    inputMode="numeric"
                    aria-label={`${t('settings.end')} · ${t(`day.${day}`)}`}
                    value={draft[day].end}
                    onChange={(e) => setDay(day, { end: e.target.value })}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Section>
  );
}

function SlaSection({ targets, lead }: { targets: Targets; lead: number }) {
  const { t, label } = useT();
  const [draft, setDraft] = useState<Targets>(targets);
  const [warn, setWarn] = useState(String(lead));
  const { save, error, saving } = useSaveSettings();
  const leadId = useId();
  const setTarget = (
    level: (typeof LEVELS)[number],
    priority: (typeof PRIORITIES)[number],
    field: 'firstResponse' | 'resolution',
    value: string,
  ) =>
    setDraft((d) => ({
      ...d,
      [level]: { ...d[level], [priority]: { ...d[level][priority], [field]: Number(value) } },
    }));
  return (
    <Section
      title="settings.sla"
      error={error}
      saving={saving}
      onSubmit={() => void save({ sla_targets: draft, sla_warning_lead_minutes: Number(warn) })}
    >
      <div className="table-wrap">
        <table className="table compact">
          <thead>
            <tr>
              <th scope="col">{t('settings.slaLevel')}</th>
              {PRIORITIES.map((p) => (
                <th key={p} scope="col">
                  {label('priority', p)}
                  <div className="muted small">
                    {t('settings.firstResponse')} / {t('settings.resolution')}
                  </div>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {LEVELS.map((level) => (
              <tr key={level}>
                <th scope="row">{level}</th>
                {PRIORITIES.map((p) => (
                  <td key={p} className="pair">
                    <input
                      type="number"
                      min={1}
                      aria-label={`${level} · ${label('priority', p)} · ${t('settings.firstResponse')}`}
                      value={draft[level][p].firstResponse}
                      onChange={(e) => setTarget(level, p, 'firstResponse', e.target.value)}
                    />
                    <input
                      type="number"
                      min={1}
                      aria-label={`${level} · ${label('priority', p)} · ${t('settings.resolution')}`}
                      value={draft[level][p].resolution}
                      onChange={(e) => setTarget(level, p, 'resolution', e.target.value)}
                    />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="field">
        <label htmlFor={leadId}>{t('settings.warningLead')}</label>
        <input
          id={leadId}
          type="number"
          min={0}
          max={1440}
          value={warn}
          onChange={(e) => setWarn(e.target.value)}
        />
      </div>
    </Section>
  );
}

function AssignmentSection({ enabled, max }: { enabled: boolean; max: number }) {
  const { t } = useT();
  const [on, setOn] = useState(enabled);
  const [limit, setLimit] = useState(String(max));
  const { save, error, saving } = useSaveSettings();
  const ids = { on: useId(), limit: useId() };
  return (
    <Section
      title="settings.assignment"
      error={error}
      saving={saving}
      onSubmit={() => void save({ auto_assignment_enabled: on, max_conversations_per_agent: Number(limit) })}
    >
      <div className="check">
        <input id={ids.on} type="checkbox" checked={on} onChange={(e) => setOn(e.target.checked)} />
        <label htmlFor={ids.on}>{t('settings.autoAssignment')}</label>
      </div>
      <div className="field">
        <label htmlFor={ids.limit}>{t('settings.maxConversations')}</label>
        <input
          id={ids.limit}
          type="number"
          min={1}
          max={500}
          value={limit}
          onChange={(e) => setLimit(e.target.value)}
        />
      </div>
    </Section>
  );
}

function AiSection(props: {
  enabled: boolean;
  hours: string;
  model: string;
  instructions: string;
  threshold: number;
}) {
  const { t } = useT();
  const [enabled, setEnabled] = useState(props.enabled);
  const [hours, setHours] = useState(props.hours);
  const [model, setModel] = useState(props.model);
  const [instructions, setInstructions] = useState(props.instructions);
  const [threshold, setThreshold] = useState(String(props.threshold));
  const { save, error, saving } = useSaveSettings();
  const ids = { enabled: useId(), hours: useId(), model: useId(), instructions: useId(), threshold: useId() };
  return (
    <Section
      title="settings.ai"
      error={error}
      saving={saving}
      onSubmit={() =>
        void save({
          ai_response_enabled: enabled,
          ai_response_hours: hours,
          ai_model: model.trim(),
          ai_instructions: instructions.trim(),
          ai_handoff_confidence_threshold: Number(threshold),
        })
      }
    >
      <div className="check">
        <input
          id={ids.enabled}
          type="checkbox"
          checked={enabled}
          onChange={(e) => setEnabled(e.target.checked)}
        />
        <label htmlFor={ids.enabled}>{t('settings.aiEnabled')}</label>
      </div>
      <div className="field">
        <label htmlFor={ids.hours}>{t('settings.aiHours')}</label>
        <select id={ids.hours} value={hours} onChange={(e) => setHours(e.target.value)}>
          <option value="always">{t('settings.aiHours.always')}</option>
          <option value="outside_business_hours">{t('settings.aiHours.outside_business_hours')}</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor={ids.model}>{t('settings.aiModel')}</label>
        <input id={ids.model} value={model} onChange={(e) => setModel(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={ids.threshold}>{t('settings.aiThreshold')}</label>
        <input
          id={ids.threshold}
          type="number"
          min={0}
          max={1}
          step={0.05}
          value={threshold}
          onChange={(e) => setThreshold(e.target.value)}
        />
      </div>
      <div className="field field-wide">
        <label htmlFor={ids.instructions}>{t('settings.aiInstructions')}</label>
        <textarea
          id={ids.instructions}
          rows={5}
          value={instructions}
          onChange={(e) => setInstructions(e.target.value)}
        />
      </div>
    </Section>
  );
}

function OtherSettings({ settings }: { settings: SettingView[] }) {
  return (
    <>
      {settings.map((s) => (
        <JsonSetting key={s.key} setting={s} />
      ))}
    </>
  );
}

function JsonSetting({ setting }: { setting: SettingView }) {
  const { t } = useT();
  const [text, setText] = useState(JSON.stringify(setting.value, null, 2));
  const [parseError, setParseError] = useState<unknown>(null);
  const { save, error, saving } = useSaveSettings();
  const id = useId();
  return (
    <form
      className="card settings-section json-setting"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        try {
          const value = JSON.parse(text) as unknown;
          setParseError(null);
          void save({ [setting.key]: value });
        } catch (err) {
          setParseError(err);
        }
      }}
    >
      <label htmlFor={id}>
        <code>{setting.key}</code> <span className="muted small">{setting.description}</span>
      </label>
      <textarea
        id={id}
        className="mono"
        rows={Math.min(8, text.split('\n').length)}
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
      <ErrorNote error={parseError ?? error} />
      <button type="submit" disabled={saving}>
        {t('common.save')}
      </button>
    </form>
  );
}
