/**
 * The board's order and the limits of a page and of a lead's detail (DESIGN.md: Board order, API).
 * Order: leadScore descending, then lastContactAt ascending (null, never contacted, sorts first in MongoDB), then _id.
 */
export const BOARD_ORDER = Object.freeze({ leadScore: -1, lastContactAt: 1, _id: 1 } as const);

export const PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** What GET /v1/leads/:id returns alongside the lead. */
export const DETAIL_LIMITS = Object.freeze({ calls: 5, timeline: 50, notes: 100, appointments: 100 });
