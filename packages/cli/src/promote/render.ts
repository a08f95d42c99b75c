// A promotion as lines: what goes, what the target already runs, what is refused and why.
import type { Promotion, PromotionEntry } from '@shipgraph/core';

const describe = (entry: PromotionEntry, to: string): string => {
  switch (entry.action) {
    case 'promote':
      return `promote    ${entry.commit.slice(0, 12)}  code ${entry.artifact.sha256.slice(0, 12)}`;
    case 'unchanged':
      return `unchanged  ${entry.commit.slice(0, 12)}  ${to} runs it already`;
    case 'refused':
      return `refused    ${entry.why}`;
  }
};

export function renderPromotion(promotion: Promotion): string {
  const width = Math.max(0, ...promotion.services.map((entry) => entry.service.length));
  const count = (action: PromotionEntry['action']) =>
    promotion.services.filter((entry) => entry.action === action).length;
  return [
    `promote ${promotion.from} → ${promotion.to}`,
    ...promotion.services.map(
      (entry) => `  ${entry.service.padEnd(width)}  ${describe(entry, promotion.to)}`,
    ),
    `${count('promote')} to promote, ${count('unchanged')} unchanged, ${count('refused')} refused`,
    '',
  ].join('\n');
}
