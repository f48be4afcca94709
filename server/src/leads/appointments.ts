import type { AppointmentRepository } from './timeline-repository.js';
import type { ChangeActor, LeadChanges } from './changes.js';

/**
 * Stores a lead's next appointment (the earliest scheduled one not yet started) and its latest scheduled one (the
 * "no upcoming appointment" filter and the Call today rule for qualified leads), through the one lead-change path.
 * Called after any write to a lead's appointments: the host CRM's push, or a booking made on an AI call.
 */
export async function syncLeadAppointments(
  deps: { appointments: AppointmentRepository; changes: LeadChanges; now: () => Date },
  orgId: string,
  leadId: string,
  actor: ChangeActor,
): Promise<void> {
  const now = deps.now();
  const scheduled = (await deps.appointments.forLead(orgId, leadId)).filter((a) => a.status === 'scheduled').map((a) => Date.parse(a.scheduledAt));
  const next = scheduled.filter((t) => t > now.getTime()).sort((x, y) => x - y)[0];
  const last = scheduled.length ? Math.max(...scheduled) : null;
  await deps.changes.apply(
    orgId,
    leadId,
    () => ({ set: { nextAppointmentAt: next !== undefined ? new Date(next) : null, lastAppointmentAt: last !== null ? new Date(last) : null } }),
    { actor },
  );
}
