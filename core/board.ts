/**
 * The board's order and the limits of a page and of a lead's detail (DESIGN.md: Board order, API).
 * Order: leadScore descending, then lastContactAt ascending (null, never contacted, sorts first in MongoDB), then _id.
 */
export const BOARD_ORDER = Object.freeze({ leadScore: -1, lastContactAt: 1, _id: 1 } as const);

/**
 * The sorts of GET /v1/leads?sort= (DESIGN.md: Working the list), each a MongoDB sort over stored fields, each with its
 * own index (server/src/db/indexes.ts):
 * - score (default): the board order above.
 * - last_contact: oldest contact first, never-contacted first (null sorts first ascending), then _id.
 * - newest: createdAt descending, then _id descending.
 * - follow_up: the next open follow-up due first, leads without one last. Stored as `followUpRank` = -(due time in ms),
 *   sorted descending: the earliest due has the largest rank, and a missing rank (no follow-up) sorts last descending.
 */
export const BOARD_SORTS = ['score', 'last_contact', 'newest', 'follow_up'] as const;
export type BoardSort = (typeof BOARD_SORTS)[number];

export const SORT_ORDERS: Readonly<Record<BoardSort, Readonly<Record<string, 1 | -1>>>> = Object.freeze({
  score: BOARD_ORDER,
  last_contact: Object.freeze({ lastContactAt: 1, _id: 1 } as const),
  newest: Object.freeze({ createdAt: -1, _id: -1 } as const),
  follow_up: Object.freeze({ followUpRank: -1, _id: 1 } as const),
});

export const SORT_LABELS: Record<BoardSort, string> = {
  score: 'Score (highest first)',
  last_contact: 'Last contact (oldest first)',
  newest: 'Newest first',
  follow_up: 'Next follow-up due',
};

export const PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** What GET /v1/leads/:id returns alongside the lead. */
export const DETAIL_LIMITS = Object.freeze({ calls: 5, timeline: 50, notes: 100, appointments: 100, followUps: 50 });
