/**
 * WhatsApp webhook bodies in Meta's exact envelope, with no dependency on the app: shared by the
 * tests (through crm-app.ts) and the benchmarks' load generators.
 */

type Json = Record<string, unknown>;

/** Meta's envelope around one change's `value` (messages or statuses) for one business number. */
export function webhookEnvelope(value: Json, phoneNumberId = '106540352242922'): Json {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: phoneNumberId },
              ...value,
            },
          },
        ],
      },
    ],
  };
}

/** A text webhook from `from` with id `wamid`. */
export function textPayload(
  wamid: string,
  from: string,
  body = 'Hola',
  opts: { phoneNumberId?: string; name?: string } = {},
): Json {
  return webhookEnvelope(
    {
      contacts: [{ profile: { name: opts.name ?? 'Cliente' }, wa_id: from }],
      messages: [
        { from, id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body } },
      ],
    },
    opts.phoneNumberId,
  );
}
