// Prices shipping at checkout, with the carrier the fulfilment workflow will pick for the order.
const ratesInCents = { courier: { base: 900, perItem: 150 }, post: { base: 350, perItem: 50 } };

export async function quoteShipping({ items = [], express = false }) {
  const carrier = express ? 'courier' : 'post';
  const count = items.reduce((sum, item) => sum + item.quantity, 0);
  const { base, perItem } = ratesInCents[carrier];
  return { carrier, priceInCents: base + perItem * count };
}
