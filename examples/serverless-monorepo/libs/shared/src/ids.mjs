// Order ids: unique without coordination, and sorted by creation time so listings need no extra index.
import { randomBytes } from 'node:crypto';

export function newOrderId(now = Date.now()) {
  return `ord_${now.toString(36).padStart(9, '0')}${randomBytes(5).toString('hex')}`;
}
