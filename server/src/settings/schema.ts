import { z } from 'zod';

export const outboundAgentBody = z
  .object({
    name: z.string().trim().min(1, 'give the agent a name').max(40, 'at most 40 characters (a Vapi limit)'),
    voice: z.string().trim().min(1).max(60).default('Elliot'),
    systemPrompt: z.string().trim().min(20, 'describe what the agent should do in at least 20 characters').max(8000),
    firstMessage: z
      .string()
      .trim()
      .min(10, 'the first message must introduce the clinic (at least 10 characters)')
      .max(500),
  })
  .strict();
export type OutboundAgentBody = z.infer<typeof outboundAgentBody>;

export const twilioImportBody = z
  .object({
    accountSid: z.string().trim().regex(/^AC[0-9a-fA-F]{32}$/, 'a Twilio Account SID is "AC" followed by 32 hexadecimal characters'),
    authToken: z.string().trim().min(16, 'paste the Auth Token from the Twilio console').max(128),
    phoneNumber: z.string().trim().min(5, 'the Twilio phone number, in E.164 (+12125550123)').max(30),
  })
  .strict();
export type TwilioImportBody = z.infer<typeof twilioImportBody>;

export const vapiKeyBody = z.object({ apiKey: z.string().trim().min(16, 'paste the private API key from the Vapi dashboard').max(200) }).strict();
