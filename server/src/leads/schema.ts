/**
 * The leads API's request schemas now live in core (core/requests.ts), shared with any client; re-exported here so
 * the routes and the service keep importing from './schema.js'. Phone parsing (libphonenumber) stays server-side in
 * ./phone.ts: the schema only bounds the phone string.
 */
export {
  appointmentsBody,
  bulkUpsertBody,
  followUpCreateBody,
  followUpIdParams,
  followUpListQuery,
  followUpPatchBody,
  idParams,
  leadInput,
  listQuery,
  noteBody,
  statusChangeBody,
  viewsQuery,
  type BulkLeadInput,
  type ContactEdit,
  type FollowUpListQuery,
  type LeadInput,
  type LeadPatchBody,
  type ListQuery,
  type ViewsQuery,
} from '../../../core/requests.js';
