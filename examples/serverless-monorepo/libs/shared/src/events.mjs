// Order events arrive as JSON on SNS and SQS; every consumer reads them the same way.
const statusAfter = { 'order.paid': 'paid', 'order.shipped': 'shipped', 'order.cancelled': 'cancelled' };

export function parseOrderEvent(json) {
  const event = JSON.parse(json);
  const status = statusAfter[event?.type];
  if (status === undefined || typeof event.orderId !== 'string') {
    throw new Error(`not an order event: ${json.slice(0, 200)}`);
  }
  return { type: event.type, orderId: event.orderId, status };
}
