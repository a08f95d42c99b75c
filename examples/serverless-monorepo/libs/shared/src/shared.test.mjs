// Unit tests for the shared helpers; run with `npm test -w @acme/shared`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newOrderId, parseOrderEvent, validateOrder } from './index.mjs';

test('a valid order keeps only known fields', () => {
  const input = {
    customerEmail: 'ada@example.com',
    items: [{ sku: 'MUG', quantity: 2, note: 'x' }],
    extra: 1,
  };
  assert.deepEqual(validateOrder(input), {
    errors: [],
    order: { customerEmail: 'ada@example.com', items: [{ sku: 'MUG', quantity: 2 }], express: false },
  });
});

test('an invalid order lists every problem', () => {
  assert.deepEqual(validateOrder({ customerEmail: 'nope', items: [{ sku: '', quantity: 0 }] }).errors, [
    'customerEmail must be an email address',
    'items[0].sku must be a string',
    'items[0].quantity must be a positive integer',
  ]);
});

test('order ids sort by creation time', () => {
  assert.ok(newOrderId(1_000) < newOrderId(2_000));
  assert.match(newOrderId(), /^ord_[0-9a-z]{9}[0-9a-f]{10}$/);
});

test('order events map to the status they lead to', () => {
  assert.deepEqual(parseOrderEvent('{"type":"order.paid","orderId":"ord_1"}'), {
    type: 'order.paid',
    orderId: 'ord_1',
    status: 'paid',
  });
  assert.throws(() => parseOrderEvent('{"type":"order.lost","orderId":"ord_1"}'), /not an order event/);
});
