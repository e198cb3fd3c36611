import { SIGNIFICANCE_DIMENSIONS, type Significance } from "../template/types.ts";

export type BandName = "low" | "medium" | "high";

export interface Band {
  readonly name: BandName;
  readonly min_score: number;
  readonly max_score: number;
}

/** Default bands over six dimensions scored 0–3 (composite 0–18). */
export const BANDS: ReadonlyArray<Band> = [
  { name: "low", min_score: 0, max_score: 6 },
  { name: "medium", min_score: 7, max_score: 11 },
  { name: "high", min_score: 12, max_score: 18 },
];

export const MEDIUM_OPTIONS = ["decide_solo", "open_stand_up", "defer"] as const;
export const HIGH_OPTIONS = ["approve", "reject"] as const;

export interface SignificanceRecord {
  readonly decision_id: string;
  readonly step_id: string;
  readonly composite_score: number;
  readonly dimensions: Readonly<Record<string, number>>;
  readonly hard_triggers: ReadonlyArray<string>;
  readonly score_band: Band;
  readonly effective_band: Band;
}

/** Scores an audit's significance; any hard trigger lifts the effective band to high. Pure. */
export const evaluateSignificance = (decisionId: string, stepId: string, s: Significance): SignificanceRecord => {
  const score = SIGNIFICANCE_DIMENSIONS.reduce((sum, d) => sum + s.dimensions[d], 0);
  const scoreBand = BANDS.find((b) => score >= b.min_score && score <= b.max_score) ?? (BANDS[2] as Band);
  const effective = s.hard_triggers.length > 0 ? (BANDS[2] as Band) : scoreBand;
  return {
    decision_id: decisionId,
    step_id: stepId,
    composite_score: score,
    dimensions: { ...s.dimensions },
    hard_triggers: [...s.hard_triggers],
    score_band: scoreBand,
    effective_band: effective,
  };
};

/** The band recorded for a decision in the run's decisions map, if any. */
export const recordedBand = (decisions: Readonly<Record<string, unknown>>, decisionId: string): BandName | null => {
  const rec = decisions[`significance:${decisionId}`];
  if (typeof rec !== "object" || rec === null) return null;
  const band = (rec as { effective_band?: { name?: unknown } }).effective_band?.name;
  return band === "low" || band === "medium" || band === "high" ? band : null;
};
