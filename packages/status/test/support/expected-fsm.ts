/** The reference's edge set (27 edges) plus genesis -> planned/canceled, written out independently of the table. */
export const EXPECTED_EDGES = [
  "genesis>planned", "genesis>canceled",
  "planned>claimed", "claimed>in_progress", "in_progress>for_review", "for_review>in_review",
  "in_review>approved", "in_review>done", "in_review>in_progress", "in_review>planned",
  "in_progress>approved", "approved>done", "approved>in_progress", "approved>planned",
  "in_progress>planned",
  "planned>blocked", "claimed>blocked", "in_progress>blocked", "for_review>blocked", "in_review>blocked",
  "approved>blocked", "blocked>in_progress",
  "planned>canceled", "claimed>canceled", "in_progress>canceled", "for_review>canceled", "in_review>canceled",
  "approved>canceled", "blocked>canceled",
];
