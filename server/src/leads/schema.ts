/**
 * The leads API's request schemas now live in core (core/requests.ts), shared with any client; re-exported here so
 * the routes and the service keep importing from './schema.js'. Phone parsing (libphonenumber) stays server-side in
 * ./phone.ts: the schema only bounds the phone string.
 */
export {
  appointmentsBody,
  bulkUpsertBody,
  idParams,
  leadInput,
  listQuery,
  noteBody,
  statusChangeBody,
  type LeadInput,
  type ListQuery,
} from '../../../core/requests.js';
